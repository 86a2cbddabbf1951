/**
 * `mux-ingest rekey --from-key <source> [--to-key <source>]`: re-seals every secret at rest
 * under a new key (the configured one by default). A key is read from a file or a variable,
 * never from the command line (it would sit in the shell history and the process list), and
 * never printed.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MIN_ENCRYPTION_KEY_LENGTH, parseEnv } from "../config/env";
import { openNodeDatabase } from "../db/node";
import { systemClock } from "../lib/clock";
import { describeError } from "../lib/errors";
import { SecretBox } from "../lib/secret-box";
import { configuredKey } from "../node/local-encryption-key";
import { rekeySecrets } from "../resources/rekey";
import { usageError } from "./cli-options";
import { say, warn } from "./output";

export async function runRekey(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let from: string | undefined;
  let to: string | undefined;
  try {
    const { values } = parseArgs({
      args,
      options: { "from-key": { type: "string" }, "to-key": { type: "string" } },
      strict: true,
    });
    from = values["from-key"];
    to = values["to-key"];
  } catch (err) {
    return usageError("rekey", describeError(err));
  }
  if (!from) return usageError("rekey", "--from-key is required");
  const config = parseEnv(env);
  let oldKey: string;
  let newKey: string;
  try {
    oldKey = readKey(from, env);
    newKey = to ? readKey(to, env) : configuredKey(config).key;
  } catch (err) {
    return usageError("rekey", describeError(err));
  }
  if (newKey.length < MIN_ENCRYPTION_KEY_LENGTH)
    return usageError("rekey", `the new key must be at least ${MIN_ENCRYPTION_KEY_LENGTH} characters`);
  if (newKey === oldKey) return usageError("rekey", "the old and the new key are the same");
  const database = openNodeDatabase(config.databasePath, { synchronous: config.databaseSynchronous });
  try {
    const result = await rekeySecrets(
      { database, clock: systemClock },
      { from: await SecretBox.fromPassphrase(oldKey), to: await SecretBox.fromPassphrase(newKey) },
    );
    say(
      `Re-sealed ${result.values} secret(s) of ${result.connections} connection(s) and ${result.buckets} bucket(s) under the new key.`,
    );
    return 0;
  } catch (err) {
    warn(`mux-ingest rekey: ${describeError(err)}`);
    return 1;
  } finally {
    database.close();
  }
}

/** A key from `env:NAME` or a file (`file:PATH` or a plain path), trimmed as the key file is. */
function readKey(source: string, env: NodeJS.ProcessEnv): string {
  if (source.startsWith("env:")) {
    const name = source.slice("env:".length);
    const value = env[name];
    if (value === undefined) throw new Error(`the variable ${name} is not set`);
    return value.trim();
  }
  const path = source.startsWith("file:") ? source.slice("file:".length) : source;
  // Not named: a key pasted where a path belongs must not be echoed.
  if (!existsSync(path))
    throw new Error(
      "the key source is no file: give env:NAME or a file path (a key is never taken on the command line)",
    );
  return readFileSync(path, "utf8").trim();
}
