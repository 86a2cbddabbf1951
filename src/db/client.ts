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

/**
 * Whether a statement changed at least one row itself. Only that is portable: better-sqlite3
 * counts the statement's own rows, D1 adds the rows its triggers changed (the count tables of
 * migration 0006), so a count of rows would mean different things on the two drivers. A write
 * whose caller needs a number of rows makes one statement per row, or reads the ids first.
 */
export type StatementResult = { changed: boolean };

export interface Database {
  readonly db: Db;
  /** Runs every statement or none; resolves with whether each statement changed a row. */
  atomic(statements: readonly SQLWrapper[]): Promise<StatementResult[]>;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
  close(): void;
}
