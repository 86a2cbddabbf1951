/**
 * The Node driver: better-sqlite3 with WAL. Imported only by Node entries and tests, so the
 * native module never reaches the Worker bundle.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { SQLWrapper } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { packageRoot } from "../lib/package-root";
import type { Database, Db, StatementResult } from "./client";
import { GroupCommitter } from "./group-commit";
import { drizzleClient, PreparedStatements } from "./prepared-statements";
import { schema } from "./schema";
import { type DatabaseSynchronous, DEFAULT_DATABASE_SYNCHRONOUS } from "./synchronous";
import { type CheckpointerOptions, startWalCheckpointer, type WalCheckpointer } from "./wal-checkpointer";
import { OPEN_GATE, type WriteGate } from "./write-gate";

/** `migrations/` ships at the package root, beside the code (sources or build). */
export const MIGRATIONS_FOLDER = join(packageRoot(import.meta.url), "migrations");

export type NodeDatabase = Database & {
  readonly sqlite: BetterSqlite3.Database;
  /** Held while the WAL checkpointer starts the WAL over; `atomic` waits for it (`write-gate.ts`). */
  readonly writeGate: WriteGate;
};

export type OpenOptions = {
  /** Apply `migrations/` on open (the default). */
  migrate?: boolean;
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** What a commit waits for (`DATABASE_SYNCHRONOUS`; see `synchronous.ts`). */
  synchronous?: DatabaseSynchronous;
  /** Told about each existing file (database, `-wal`, `-shm`) whose looser mode was tightened to 0600. */
  onModeTightened?: (path: string, previousMode: number) => void;
  /**
   * Checkpoint the WAL on a worker thread, so that commits rarely copy it into the file
   * (`wal-checkpointer.ts`): for serving processes, whose event loop must not wait for that.
   * Ignored for `:memory:`.
   */
  backgroundCheckpoints?: Pick<CheckpointerOptions, "idleMs" | "onCheckpoint" | "onError" | "driver">;
};

/**
 * The database holds sealed secrets and everything about the library: only its owner reads it.
 * A new file is created 0600 before SQLite opens it; SQLite creates `-wal` and `-shm` with the
 * database file's mode, and looser modes left by an older version are tightened here.
 */
const FILE_MODE = 0o600;

/**
 * SQLite's page cache per connection, in KiB. better-sqlite3 builds SQLite with a 16 MiB default,
 * which a large library's `jobs` and `objects` would fill during a pass (the process's memory
 * would grow with the library up to that size); 2 MiB is SQLite's own default and holds the
 * indexes' upper levels the hot paths touch. Every other page is one read from the OS page cache.
 */
export const SQLITE_CACHE_KIB = 2_048;

function secureFiles(path: string, onTightened: OpenOptions["onModeTightened"]): void {
  closeSync(openSync(path, "a", FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode & 0o777;
    if (mode === FILE_MODE) continue;
    chmodSync(file, FILE_MODE);
    onTightened?.(file, mode);
  }
}

/** Opens (creating if needed) a database file, or `:memory:`. */
export function openNodeDatabase(path: string, options: OpenOptions = {}): NodeDatabase {
  if (path !== ":memory:") {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    secureFiles(path, options.onModeTightened);
  }
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  // Either setting is safe from corruption in WAL mode; they differ in what an acknowledged
  // commit survives (synchronous.ts). Written from the closed set only, never from free text.
  const synchronous = (options.synchronous ?? DEFAULT_DATABASE_SYNCHRONOUS) === "full" ? "FULL" : "NORMAL";
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // A negative cache_size is in KiB, whatever the page size.
  sqlite.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  const statements = new PreparedStatements(sqlite);
  const db = drizzle({ client: drizzleClient(sqlite, statements), schema });
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const checkpointer =
    options.backgroundCheckpoints && path !== ":memory:"
      ? startWalCheckpointer(sqlite, { ...options.backgroundCheckpoints, path, synchronous })
      : null;
  return wrap(db, sqlite, statements, checkpointer);
}

/** How many migrations the database has had applied (`mux-ingest migrate` reports it). */
export function appliedMigrations(database: NodeDatabase): number {
  const row = database.sqlite.prepare("select count(*) as n from __drizzle_migrations").get() as {
    n: number;
  };
  return row.n;
}

function wrap(
  db: BetterSQLite3Database<typeof schema>,
  sqlite: BetterSqlite3.Database,
  statements: PreparedStatements,
  checkpointer: WalCheckpointer | null,
): NodeDatabase {
  const writeGate = checkpointer?.gate ?? OPEN_GATE;
  const committer = new GroupCommitter(sqlite, writeGate, statements);
  return {
    db: db as unknown as Db,
    sqlite,
    writeGate,
    atomic(statements: readonly SQLWrapper[]): Promise<StatementResult[]> {
      return committer.submit(statements);
    },
    async ping() {
      sqlite.prepare("select 1").get();
    },
    close() {
      checkpointer?.stop();
      if (sqlite.open) sqlite.close();
    },
  };
}
