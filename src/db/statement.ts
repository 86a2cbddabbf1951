/**
 * `statement` templates: SQL for the paths that run thousands of times a second (the webhook's
 * event row and its jobs), whose text is fixed where it is written. A template's literal parts are
 * the same frozen array on every call from the same place in the source, so the better-sqlite3
 * driver finds the prepared statement with one lookup per template (`StatementTemplates`, in
 * `statement-shapes.ts`) instead of building drizzle's chunk objects and walking them. Each value
 * is bound as one `?`, as drizzle's SQLite dialect binds it, or is a nested `statement`.
 *
 * A `Statement` is a drizzle `SQLWrapper`: the D1 driver, drizzle's builders and a `sql` template
 * that embeds one read it through `getSQL()`, as the same text and values. A value that is any
 * other SQL (a caller's drizzle condition) is accepted too; the better-sqlite3 driver then
 * compiles that statement through drizzle, as it does every `sql` template it cannot find by shape.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

export type StatementValue = string | number | bigint | null | SQLWrapper;

export class Statement implements SQLWrapper {
  constructor(
    readonly strings: TemplateStringsArray,
    readonly values: readonly StatementValue[],
  ) {}

  /** The same statement as a drizzle `sql` template (a nested `Statement` is read as its own). */
  getSQL(): SQL {
    return sql(
      this.strings,
      ...this.values.map((value) => (value instanceof Statement ? value.getSQL() : value)),
    );
  }
}

export function statement(strings: TemplateStringsArray, ...values: StatementValue[]): Statement {
  return new Statement(strings, values);
}

/** A value bound as one `?` (what drizzle's SQLite dialect binds as it is). */
export function isBoundValue(value: unknown): value is string | number | bigint | null {
  return (
    value === null || typeof value === "string" || typeof value === "number" || typeof value === "bigint"
  );
}
