/**
 * Statements found by their shape are the statements drizzle would compile: the same text (the
 * prepared statement's source) and the same values, for any nesting of plain templates; one
 * prepared statement per shape whatever the values; and the index stays bounded.
 */
import Database from "better-sqlite3";
import { type SQL, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_SHAPE_NODES, StatementShapes } from "../../src/db/statement-shapes";
import { jobs } from "../../src/queue/tables";

const sqlite = new Database(":memory:");
afterAll(() => sqlite.close());
const dialect = new SQLiteSyncDialect();

/** SELECT over expressions: literal numbers, bound values and nested templates, always valid SQL. */
const value = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.constant(null),
  fc.bigInt({ min: 0n, max: 2n ** 62n }),
);
const { expression } = fc.letrec<{ expression: SQL }>((tie) => ({
  expression: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("1", "2", "'a'").map((text) => sql.raw(text)),
    value.map((v) => sql`${v}`),
    fc.tuple(tie("expression"), tie("expression")).map(([a, b]) => sql`(${a} || ${b})`),
    fc
      .array(tie("expression"), { minLength: 2, maxLength: 3 })
      .map((list) => sql`coalesce(${sql.join(list, sql`, `)})`),
  ),
}));

describe("statements found by their shape", () => {
  it("have drizzle's text and values, for any nesting of plain templates", () => {
    const shapes = new StatementShapes(sqlite);
    fc.assert(
      fc.property(expression, (expr) => {
        const statement = sql`SELECT ${expr} AS v`;
        const found = shapes.find(statement);
        const compiled = dialect.sqlToQuery(statement);
        expect(found?.prepared.source).toBe(compiled.sql);
        expect(found?.params).toEqual(compiled.params);
      }),
      { numRuns: 300 },
    );
  });

  it("share one prepared statement per shape, whatever the values", () => {
    const shapes = new StatementShapes(sqlite);
    const at = (id: string, n: number) => sql`SELECT ${id} AS id, ${n} + 1 AS n`;
    const first = shapes.find(at("a", 1));
    const second = shapes.find(at("b", 2));
    expect(second?.prepared).toBe(first?.prepared);
    expect(second?.params).toEqual(["b", 2]);
    expect(second?.prepared.get(...(second?.params ?? []))).toEqual({ id: "b", n: 3 });
    // The same text chunks with the value elsewhere is another statement.
    const moved = shapes.find(sql`SELECT ${"c"} AS id, 2 + ${1} AS n`);
    expect(moved?.prepared).not.toBe(first?.prepared);
    expect(moved?.prepared.source).toBe("SELECT ? AS id, 2 + ? AS n");
  });

  it("leave to drizzle what is not a plain template", () => {
    const shapes = new StatementShapes(sqlite);
    expect(shapes.find(sql`SELECT ${jobs.id} FROM jobs`)).toBeNull();
    expect(shapes.find(sql`SELECT ${"x"}`.inlineParams())).toBeNull();
    expect(shapes.find(sql`SELECT ${true}`)).toBeNull();
  });

  it("keep the index bounded, and keep finding statements once it was dropped", () => {
    const shapes = new StatementShapes(sqlite);
    for (let i = 0; i < MAX_SHAPE_NODES + 100; i++) {
      const found = shapes.find(sql`SELECT ${sql.raw(String(i))} AS n, ${i} AS v`);
      expect(found?.prepared.get(...(found?.params ?? []))).toEqual({ n: i, v: i });
      expect(shapes.size).toBeLessThanOrEqual(MAX_SHAPE_NODES);
    }
  });
});
