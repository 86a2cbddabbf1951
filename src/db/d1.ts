/**
 * The Workers driver: D1 through `drizzle-orm/d1`. Imported only by the Worker entry, so the
 * Node driver (better-sqlite3) and this one never meet in one bundle.
 *
 * `atomic` is one D1 `batch`: D1 runs a batch as a single implicit transaction, so every
 * statement commits or none does, which is what the domain's multi-statement writes rely on.
 * It binds the statements itself rather than through drizzle's `db.batch(stmts.map(db.run))`:
 * drizzle-orm 0.45.4 cannot batch `db.run(sql)` items that carry parameters (its raw query has
 * no prepared statement: "Cannot read properties of undefined (reading 'bind')").
 */
import type { D1Database } from "@cloudflare/workers-types";
import type { SQLWrapper } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Database, Db, StatementResult } from "./client";
import { schema } from "./schema";

/** What D1 reports for a write; only whether `changes` is zero matters to the domain. */
type D1RunResult = { meta: { changes?: number } };

export function openD1Database(binding: D1Database): Database {
  const db = drizzle(binding, { schema });
  const dialect = new SQLiteAsyncDialect();
  return {
    db: db as unknown as Db,
    async atomic(statements: readonly SQLWrapper[]): Promise<StatementResult[]> {
      if (statements.length === 0) return [];
      const prepared = statements.map((statement) => {
        const query = dialect.sqlToQuery(statement.getSQL());
        return binding.prepare(query.sql).bind(...query.params);
      });
      const results = (await binding.batch(prepared)) as D1RunResult[];
      // `changes` includes the rows triggers changed, and triggers fire only for rows the statement
      // changed, so it is zero exactly when the statement itself changed nothing.
      return results.map((result) => ({ changed: (result.meta.changes ?? 0) > 0 }));
    },
    async ping() {
      await binding.prepare("SELECT 1").first();
    },
    close() {
      // A binding is not a connection: there is nothing to close.
    },
  };
}
