/**
 * Group commit for better-sqlite3: `atomic` calls made in the same turn of the event loop share
 * one transaction, each in its own savepoint. A caller whose statements fail is rolled back alone
 * and gets its error; the others commit together. Every caller's promise settles only after the
 * shared COMMIT, so "resolved" still means "durably written" — webhooks answer 2xx only then —
 * while a burst of concurrent webhooks pays for one commit instead of one each.
 *
 * Statements are compiled once per SQL text and kept prepared (drizzle would prepare them again
 * on every call, which dominated the webhook path's profile). The SQL text of a plain `sql`
 * template (text, nested templates, primitive values) is assembled here directly; anything else
 * (tables, columns, encoded params) goes through drizzle's dialect, which gives the same text.
 */
import type BetterSqlite3 from "better-sqlite3";
import { SQL, type SQLWrapper, StringChunk } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { StatementResult } from "./client";

type Member = {
  statements: readonly SQLWrapper[];
  resolve: (results: StatementResult[]) => void;
  reject: (error: unknown) => void;
};

type Outcome = { ok: true; results: StatementResult[] } | { ok: false; error: unknown };

const MAX_CACHED_STATEMENTS = 512;

export class GroupCommitter {
  private readonly dialect = new SQLiteSyncDialect();
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();
  private pending: Member[] = [];
  private scheduled = false;
  private readonly runMember: (statements: readonly SQLWrapper[]) => StatementResult[];
  private readonly runGroup: (members: Member[]) => Outcome[];

  constructor(private readonly sqlite: BetterSqlite3.Database) {
    this.runMember = sqlite.transaction((statements: readonly SQLWrapper[]) =>
      statements.map((statement) => ({ changed: this.run(statement) > 0 })),
    );
    // Nested better-sqlite3 transactions are savepoints: a member that throws is rolled back alone.
    this.runGroup = sqlite.transaction((members: Member[]) =>
      members.map((member): Outcome => {
        try {
          return { ok: true, results: this.runMember(member.statements) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  submit(statements: readonly SQLWrapper[]): Promise<StatementResult[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ statements, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const members = this.pending;
    this.pending = [];
    this.scheduled = false;
    let outcomes: Outcome[];
    try {
      outcomes = this.runGroup(members);
    } catch (error) {
      // The COMMIT itself failed (disk full, read-only…): nobody's write is durable.
      for (const member of members) member.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const member = members[i];
      if (!member) return;
      if (outcome.ok) member.resolve(outcome.results);
      else member.reject(outcome.error);
    });
  }

  private run(statement: SQLWrapper): number {
    const query = plainQuery(statement) ?? this.dialect.sqlToQuery(statement.getSQL());
    let prepared = this.prepared.get(query.sql);
    if (!prepared) {
      prepared = this.sqlite.prepare(query.sql);
      if (this.prepared.size >= MAX_CACHED_STATEMENTS) {
        const oldest = this.prepared.keys().next().value;
        if (oldest !== undefined) this.prepared.delete(oldest);
      }
      this.prepared.set(query.sql, prepared);
    }
    return prepared.run(...(query.params as unknown[])).changes;
  }
}

type Query = { sql: string; params: unknown[] };

/**
 * `statement` as SQL text and parameters, when it is made only of what a `sql` template holds in
 * the queue's and the verbs' statements: text, nested templates and primitive values (each a `?`,
 * as drizzle's SQLite dialect binds them). Null for anything else, which drizzle then compiles.
 */
export function plainQuery(statement: SQLWrapper): Query | null {
  if (!(statement instanceof SQL)) return null;
  const query: Query = { sql: "", params: [] };
  return appendPlain(statement, query) ? query : null;
}

function appendPlain(statement: SQL, query: Query): boolean {
  // Set by `.inlineParams()`: drizzle then writes values into the text, which only it knows how to.
  if ((statement as unknown as { shouldInlineParams: boolean }).shouldInlineParams) return false;
  for (const chunk of statement.queryChunks) {
    if (chunk instanceof StringChunk) query.sql += chunk.value.join("");
    else if (chunk instanceof SQL) {
      if (!appendPlain(chunk, query)) return false;
    } else if (chunk === undefined) continue;
    else if (
      chunk === null ||
      typeof chunk === "string" ||
      typeof chunk === "number" ||
      typeof chunk === "bigint"
    ) {
      query.sql += "?";
      query.params.push(chunk);
    } else return false;
  }
  return true;
}
