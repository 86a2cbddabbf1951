/** A D1 binding that counts statements (batched ones included), to check D1's per-invocation query limit. */
import type { D1Database } from "@cloudflare/workers-types";

export function countingD1(db: D1Database): { db: D1Database; count(): number; reset(): void } {
  let statements = 0;
  const counted = new Proxy(db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "prepare") {
        return (query: string) => {
          statements++;
          return target.prepare(query);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    db: counted,
    count: () => statements,
    reset: () => {
      statements = 0;
    },
  };
}
