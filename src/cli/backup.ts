/**
 * `mux-ingest backup <file>`: an online copy of the SQLite database through SQLite's backup API
 * (better-sqlite3's `backup`), consistent at one instant while `serve` keeps writing, then checked
 * with `PRAGMA quick_check`. The copy is created 0600 (it holds sealed secrets) and never
 * overwrites a file. The encryption key is not in it, on purpose: a backup and its key are
 * stored apart, and the command says where the key is.
 */
import { closeSync, existsSync, openSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { parseEnv } from "../config/env";
import { openNodeDatabase } from "../db/node";
import { usageError } from "./cli-options";
import { say, sayJson, warn } from "./output";

export type BackupResult = {
  database: string;
  backup: string;
  pages: number;
  bytes: number;
  check: string;
  /** Where the key that opens the stored secrets is: the environment, or the generated file. */
  key: string;
};

export async function runBackup(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    return usageError("backup", (err as Error).message);
  }
  const target = parsed.positionals[0];
  if (!target || parsed.positionals.length > 1) return usageError("backup", "name one file to write");
  const config = parseEnv(env);
  if (config.databasePath === ":memory:" || !existsSync(config.databasePath)) {
    warn(`mux-ingest backup: no database at ${config.databasePath} (DATABASE_PATH)`);
    return 1;
  }
  if (existsSync(target)) {
    warn(`mux-ingest backup: ${target} exists; a backup never overwrites a file`);
    return 1;
  }
  // Created empty and 0600 first ("wx": never over a file that appeared meanwhile); SQLite
  // then writes the copy into it and the mode stays.
  closeSync(openSync(target, "wx", 0o600));
  const database = openNodeDatabase(config.databasePath, { migrate: false });
  try {
    const progress = await database.sqlite.backup(target);
    const check = quickCheck(target);
    const result: BackupResult = {
      database: resolve(config.databasePath),
      backup: resolve(target),
      pages: progress.totalPages,
      bytes: statSync(target).size,
      check,
      key: config.encryptionKey
        ? "ENCRYPTION_KEY"
        : join(dirname(resolve(config.databasePath)), "encryption.key"),
    };
    if (parsed.values.json) sayJson(result);
    else {
      say(
        `Backed up ${result.database} to ${result.backup}: ${result.pages} pages, ${(result.bytes / 1048576).toFixed(1)} MiB, quick_check ${check}.`,
      );
      say(
        `The key that opens its stored secrets is not in it: keep ${result.key} safe, apart from the backup.`,
      );
    }
    return check === "ok" ? 0 : 1;
  } finally {
    database.close();
  }
}

function parse(args: string[]) {
  return parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true });
}

function quickCheck(path: string): string {
  const copy = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return String(copy.pragma("quick_check", { simple: true }));
  } finally {
    copy.close();
  }
}
