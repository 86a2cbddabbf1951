/**
 * A D1 binding that counts what the Worker sends D1, to hold each path to its statement budget
 * and to D1's per-invocation query limit:
 * - `statements`: every statement executed, whether alone (`run`, `all`, `first`, `raw`) or
 *   inside a `batch` (D1 applies its per-query limits to each statement of a batch);
 * - `roundTrips`: calls to D1 (one per lone statement, one per `batch`, one per `exec`);
 * - `largestBatch`: the most statements in one `batch`.
 * It also keeps the SQL of each statement, so a failed bound shows what was sent.
 */
import type { D1Database, D1PreparedStatement } from "@cloudflare/workers-types";

export type D1Tally = { statements: number; roundTrips: number; largestBatch: number; sql: string[] };

export type CountingD1 = {
  db: D1Database;
  /** What was sent since the last `reset`. */
  tally(): D1Tally;
  reset(): void;
};

const EXECUTE = new Set(["run", "all", "first", "raw"]);

export function countingD1(db: D1Database): CountingD1 {
  let tally: D1Tally = { statements: 0, roundTrips: 0, largestBatch: 0, sql: [] };
  // Each wrapper's real statement: `batch` must be handed the binding's own objects.
  const real = new WeakMap<object, D1PreparedStatement>();
  const queries = new WeakMap<object, string>();

  function wrap(statement: D1PreparedStatement, query: string): D1PreparedStatement {
    const wrapper = new Proxy(statement, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "bind") {
          return (...params: unknown[]) => wrap(target.bind(...params), query);
        }
        if (typeof property === "string" && EXECUTE.has(property)) {
          return (...args: unknown[]) => {
            tally.statements++;
            tally.roundTrips++;
            tally.sql.push(query);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    real.set(wrapper, statement);
    queries.set(wrapper, query);
    return wrapper;
  }

  const counted = new Proxy(db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "prepare") return (query: string) => wrap(target.prepare(query), query);
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          tally.statements += statements.length;
          tally.roundTrips++;
          tally.largestBatch = Math.max(tally.largestBatch, statements.length);
          for (const s of statements) tally.sql.push(`(batch) ${queries.get(s) ?? "?"}`);
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      if (property === "exec") {
        return (query: string) => {
          tally.statements++;
          tally.roundTrips++;
          tally.sql.push(query);
          return target.exec(query);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

  return {
    db: counted,
    tally: () => ({ ...tally, sql: [...tally.sql] }),
    reset: () => {
      tally = { statements: 0, roundTrips: 0, largestBatch: 0, sql: [] };
    },
  };
}
