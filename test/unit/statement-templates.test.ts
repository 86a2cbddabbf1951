/**
 * `statement` templates found by their literal parts are the statements drizzle would compile
 * from the same template: the same text (the prepared statement's source) and values, for any
 * nesting, in one index shared by every sample (so two nestings of the same templates that met on
 * one entry would get each other's text); SQL that is not a `statement` is left to drizzle; the
 * index stays bounded.
 */
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type Statement, type StatementValue, statement } from "../../src/db/statement";
import { MAX_TEMPLATE_NODES, StatementTemplates } from "../../src/db/statement-shapes";

const sqlite = new Database(":memory:");
afterAll(() => sqlite.close());
const dialect = new SQLiteSyncDialect();

// Each function is one call site: its template's literal parts are one array on every call.
const one = (a: StatementValue) => statement`${a}`;
const concat = (a: StatementValue, b: StatementValue) => statement`(${a} || ${b})`;
const first = (a: StatementValue, b: StatementValue, c: StatementValue) =>
  statement`coalesce(${a}, ${b}, ${c})`;
const select = (a: StatementValue) => statement`SELECT ${a} AS v`;

const value = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.constant(null),
  fc.bigInt({ min: 0n, max: 2n ** 62n }),
);
/** Any value a template's place may hold: a bound value or another template, nested at random. */
const { operand } = fc.letrec<{ operand: StatementValue; nested: Statement }>((tie) => ({
  operand: fc.oneof({ depthSize: "small" }, value, tie("nested")),
  nested: fc.oneof(
    tie("operand").map((a) => one(a)),
    fc.tuple(tie("operand"), tie("operand")).map(([a, b]) => concat(a, b)),
    fc.tuple(tie("operand"), tie("operand"), tie("operand")).map(([a, b, c]) => first(a, b, c)),
  ),
}));

describe("statement templates", () => {
  it("have drizzle's text and values, for any nesting, in one shared index", () => {
    const templates = new StatementTemplates(sqlite);
    fc.assert(
      fc.property(operand, (root) => {
        const built = select(root);
        const found = templates.find(built);
        const compiled = dialect.sqlToQuery(built.getSQL());
        expect(found?.prepared.source).toBe(compiled.sql);
        expect(found?.params).toEqual(compiled.params);
        expect(found?.prepared.get(...(found?.params ?? []))).toEqual(
          sqlite.prepare(compiled.sql).get(...compiled.params),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("keeps one prepared statement per nesting, whatever the values", () => {
    const templates = new StatementTemplates(sqlite);
    const a = templates.find(select(concat("x", one(1))));
    const b = templates.find(select(concat("y", one(2))));
    expect(a?.prepared).toBe(b?.prepared);
    expect(b?.params).toEqual(["y", 2]);
    // The same templates nested otherwise: a template in the other place, or one level deeper.
    const swapped = templates.find(select(concat(one(1), "x")));
    const deeper = templates.find(select(concat("x", one(one(1)))));
    expect(swapped?.prepared.source).toBe("SELECT (? || ?) AS v");
    expect(deeper?.prepared).not.toBe(a?.prepared);
    expect(templates.find(select(first(one(1), one(2), 3)))?.prepared.source).toBe(
      "SELECT coalesce(?, ?, ?) AS v",
    );
  });

  it("leaves a statement holding drizzle SQL to drizzle", () => {
    const templates = new StatementTemplates(sqlite);
    expect(templates.find(select(sql`1`))).toBeNull();
    expect(templates.find(select(concat(1, sql`2`)))).toBeNull();
  });

  it(`stays within ${MAX_TEMPLATE_NODES} entries, however many templates it meets`, () => {
    const templates = new StatementTemplates(sqlite);
    for (let i = 0; i < MAX_TEMPLATE_NODES * 2 + 5; i++) {
      const parts = [`SELECT ${i}, `, ""];
      const strings = Object.assign(parts, { raw: parts }) as unknown as TemplateStringsArray;
      expect(templates.find(statement(strings, i))?.params).toEqual([i]);
      expect(templates.size).toBeLessThanOrEqual(MAX_TEMPLATE_NODES);
    }
  });
});
