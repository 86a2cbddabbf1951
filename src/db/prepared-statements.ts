/**
 * better-sqlite3's prepared statements, kept by their SQL text and reused. drizzle's
 * better-sqlite3 session prepares every query again on every call (`client.prepare(sql)`), which
 * was about a tenth of a job's CPU; given `drizzleClient`, it prepares each distinct text once.
 *
 * Bounded: at most `MAX_PREPARED_STATEMENTS` texts (queries built with variable lists, such as
 * `IN (…)` over a page of ids, have many), the least recently used dropped first.
 *
 * A statement shared by several of drizzle's queries must not carry one query's mode into the
 * next: drizzle switches a statement to raw mode (`stmt.raw()`, rows as arrays) for the queries it
 * maps itself and never switches it back, so each `prepare` answers a view whose plain reads
 * switch raw mode off first.
 */
import type BetterSqlite3 from "better-sqlite3";

export const MAX_PREPARED_STATEMENTS = 512;

export class PreparedStatements {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly max = MAX_PREPARED_STATEMENTS,
  ) {}

  /** The statement for `sql`, prepared on first use. */
  get(sql: string): BetterSqlite3.Statement {
    const kept = this.statements.get(sql);
    if (kept) {
      // Most recently used last: a Map iterates in insertion order.
      this.statements.delete(sql);
      this.statements.set(sql, kept);
      return kept;
    }
    const statement = this.sqlite.prepare(sql);
    if (this.statements.size >= this.max) {
      const oldest = this.statements.keys().next().value;
      if (oldest !== undefined) this.statements.delete(oldest);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  /** Texts kept now (at most `max`). */
  get size(): number {
    return this.statements.size;
  }
}

/** What drizzle's better-sqlite3 session calls on a statement. */
type DrizzleStatement = Pick<BetterSqlite3.Statement, "run" | "get" | "all" | "raw">;

/**
 * The client drizzle is given on Node: better-sqlite3's connection as drizzle uses it
 * (`prepare`, `transaction`), with `prepare` answered from `statements`.
 */
export function drizzleClient(
  sqlite: BetterSqlite3.Database,
  statements: PreparedStatements,
): BetterSqlite3.Database {
  const client: Pick<BetterSqlite3.Database, "transaction"> & { prepare(sql: string): DrizzleStatement } = {
    prepare: (sql) => {
      const statement = statements.get(sql);
      // Only a statement that returns rows has a raw mode to switch off.
      const plain = () => (statement.reader ? statement.raw(false) : statement);
      return {
        run: (...params: unknown[]) => statement.run(...params),
        get: (...params: unknown[]) => plain().get(...params),
        all: (...params: unknown[]) => plain().all(...params),
        raw: (toggle?: boolean) => statement.raw(toggle ?? true),
      };
    },
    transaction: (fn) => sqlite.transaction(fn),
  };
  // drizzle's session reaches the client through these two methods only.
  return client as unknown as BetterSqlite3.Database;
}
