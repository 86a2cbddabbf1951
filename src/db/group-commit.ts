/**
 * Group commit for better-sqlite3: `atomic` calls made in the same turn of the event loop (or
 * while the WAL checkpointer holds writes, `write-gate.ts`) share one transaction. Every caller's
 * promise settles only after the shared COMMIT, so "resolved" still means "durably written" —
 * webhooks answer 2xx only then — while a burst of concurrent webhooks pays for one commit instead
 * of one each.
 *
 * A group is bounded (`MAX_GROUP_MEMBERS`, `MAX_GROUP_STATEMENTS`): its transaction runs on the
 * event loop, and its callers' continuations run right after it in the same turn, so past those
 * bounds the rest of the callers wait one turn, in the order they came, while timers and sockets
 * go first.
 *
 * A caller whose statements fail is rolled back alone and gets its error; the others commit
 * together. The group first runs without savepoints (almost every group: a savepoint per caller
 * copies each page it touches into a sub-journal, which spills to a temporary file once a group
 * touches more than 64 KiB); when any statement fails, that whole transaction is rolled back and
 * the group runs again with one savepoint per caller, which isolates the failure. Statements only
 * read and write this database, so running a rolled-back group again is invisible to its callers.
 *
 * Statements are compiled once and kept prepared (drizzle would prepare them again on every
 * call, which dominated the webhook path's profile): a `statement` template by its literal
 * parts, a plain `sql` template by its shape (both in `statement-shapes.ts`), anything else by
 * the text drizzle's dialect gives it.
 */
import type BetterSqlite3 from "better-sqlite3";
import { SQL, type SQLWrapper } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { StatementResult } from "./client";
import { PreparedStatements } from "./prepared-statements";
import { Statement } from "./statement";
import { StatementShapes, StatementTemplates } from "./statement-shapes";
import { OPEN_GATE, runWhenOpen, type WriteGate } from "./write-gate";

type Member = {
  statements: readonly SQLWrapper[];
  resolve: (results: StatementResult[]) => void;
  reject: (error: unknown) => void;
};

/** Set when a member's statement threw, as opposed to the transaction's BEGIN or COMMIT. */
type MemberFailure = { failed: boolean };

type Outcome = { ok: true; results: StatementResult[] } | { ok: false; error: unknown };

/** Callers in one transaction: a burst of concurrent webhooks and jobs is committed in groups this size. */
export const MAX_GROUP_MEMBERS = 16;
/** Statements in one transaction, unless its first caller alone brings more. */
export const MAX_GROUP_STATEMENTS = 128;

export class GroupCommitter {
  private readonly dialect = new SQLiteSyncDialect();
  private readonly shapes: StatementShapes;
  private readonly templates: StatementTemplates;
  private pending: Member[] = [];
  private scheduled = false;
  private readonly runTogether: (members: Member[], failure: MemberFailure) => Outcome[];
  private readonly runIsolated: (members: Member[]) => Outcome[];

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly gate: WriteGate = OPEN_GATE,
    /** Statements drizzle compiled (not plain templates), by their text. */
    private readonly prepared: PreparedStatements = new PreparedStatements(sqlite),
  ) {
    this.shapes = new StatementShapes(sqlite);
    this.templates = new StatementTemplates(sqlite);
    const runStatements = (statements: readonly SQLWrapper[]): StatementResult[] =>
      statements.map((statement) => ({ changed: this.run(statement) > 0 }));
    // Throws at the first failing statement, noting it in `failure`; better-sqlite3 then rolls
    // the whole group back.
    this.runTogether = sqlite.transaction((members: Member[], failure: MemberFailure) =>
      members.map((member): Outcome => {
        try {
          return { ok: true, results: runStatements(member.statements) };
        } catch (error) {
          failure.failed = true;
          throw error;
        }
      }),
    );
    // Nested better-sqlite3 transactions are savepoints: a member that throws is rolled back alone.
    const runMember = sqlite.transaction(runStatements);
    this.runIsolated = sqlite.transaction((members: Member[]) =>
      members.map((member): Outcome => {
        try {
          return { ok: true, results: runMember(member.statements) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  submit(statements: readonly SQLWrapper[]): Promise<StatementResult[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ statements, resolve, reject });
      if (!this.scheduled) this.schedule();
    });
  }

  private schedule(): void {
    this.scheduled = true;
    // Callers that arrive while the gate is held join the waiting group.
    setImmediate(() => runWhenOpen(this.gate, () => this.flush()));
  }

  private flush(): void {
    const members = this.takeGroup();
    if (this.pending.length > 0) this.schedule();
    else this.scheduled = false;
    let outcomes: Outcome[];
    try {
      outcomes = this.runGroupOf(members);
    } catch (error) {
      // BEGIN or COMMIT failed (disk full, read-only…): nobody's write is durable.
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

  /** The first callers waiting, within the group's bounds (always at least one). */
  private takeGroup(): Member[] {
    let count = 0;
    let statements = 0;
    for (const member of this.pending) {
      if (count === MAX_GROUP_MEMBERS) break;
      if (count > 0 && statements + member.statements.length > MAX_GROUP_STATEMENTS) break;
      statements += member.statements.length;
      count += 1;
    }
    const group = this.pending.slice(0, count);
    this.pending = this.pending.slice(count);
    return group;
  }

  /**
   * The group in one transaction, without savepoints; if a member's statement failed (the group
   * was rolled back whole), again with a savepoint per member. A lone member's failure is its
   * own: no second run. A failure of BEGIN or COMMIT is thrown: it is everybody's.
   */
  private runGroupOf(members: Member[]): Outcome[] {
    const failure: MemberFailure = { failed: false };
    try {
      return this.runTogether(members, failure);
    } catch (error) {
      if (!failure.failed) throw error;
      if (members.length === 1) return [{ ok: false, error }];
      return this.runIsolated(members);
    }
  }

  private run(statement: SQLWrapper): number {
    const shaped =
      statement instanceof Statement
        ? this.templates.find(statement)
        : statement instanceof SQL
          ? this.shapes.find(statement)
          : null;
    if (shaped) return shaped.prepared.run(...shaped.params).changes;
    const query = this.dialect.sqlToQuery(statement.getSQL());
    return this.prepared.get(query.sql).run(...(query.params as unknown[])).changes;
  }
}
