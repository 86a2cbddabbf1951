/**
 * Records every SQL statement the service executes on a better-sqlite3 handle, with its
 * parameters, by wrapping `prepare` on that handle: drizzle and the group committer both prepare
 * through it, so what is recorded is exactly what ran (no hand-copied SQL). Install it before
 * anything is prepared (the group committer keeps statements prepared), then `capture` a path.
 */
import type BetterSqlite3 from "better-sqlite3";

export type Executed = { sql: string; params: unknown[] };

const EXECUTING = ["run", "get", "all", "iterate"] as const;

export type StatementRecorder = {
  /** Runs `path` and returns the statements executed meanwhile, in order. */
  capture(path: () => Promise<unknown>): Promise<Executed[]>;
};

export function recordStatements(sqlite: BetterSqlite3.Database): StatementRecorder {
  let sink: Executed[] | null = null;
  const prepare = sqlite.prepare.bind(sqlite);
  const wrapped = (source: string) => {
    const statement = prepare(source);
    for (const method of EXECUTING) {
      const original = statement[method] as (...params: unknown[]) => unknown;
      Object.defineProperty(statement, method, {
        value(this: BetterSqlite3.Statement, ...params: unknown[]) {
          sink?.push({ sql: source, params });
          return original.apply(this, params);
        },
      });
    }
    return statement;
  };
  Object.defineProperty(sqlite, "prepare", { value: wrapped });
  return {
    async capture(path) {
      const executed: Executed[] = [];
      sink = executed;
      try {
        await path();
      } finally {
        sink = null;
      }
      return executed;
    },
  };
}
