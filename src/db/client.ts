/**
 * The database as the domain sees it: a drizzle SQLite database that is either synchronous
 * (better-sqlite3 on Node) or asynchronous (D1 on Workers). Domain code always `await`s its
 * queries, so the same code runs on both.
 *
 * D1 has no interactive transactions, so a write that must be atomic is expressed as a list of
 * statements handed to `atomic`: one `db.batch` on D1, one synchronous transaction on
 * better-sqlite3. A statement that depends on an earlier one in the list does so in SQL (a
 * `WHERE` on what the earlier one wrote), never in JavaScript between statements.
 */
import type { SQLWrapper } from "drizzle-orm";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type { schema } from "./schema";

export type Db = BaseSQLiteDatabase<"sync" | "async", unknown, typeof schema>;

export type StatementResult = { changes: number };

export interface Database {
  readonly db: Db;
  /** Runs every statement or none; resolves with each statement's changed-row count. */
  atomic(statements: readonly SQLWrapper[]): Promise<StatementResult[]>;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
  close(): void;
}
