/**
 * Judges recorded statements by their `EXPLAIN QUERY PLAN` on the same handle: a statement whose
 * cost grows with a table that grows with the library or its history is a defect at a million
 * rows, however fast it is on a test's ten.
 *
 * - `SCAN` of a growing table (with or without an index: a full index walk is a scan too) fails,
 *   unless it walks an index in order under a `LIMIT` with no filter (it reads LIMIT rows); a
 *   `SCAN` of a small table (connections, buckets, syncs, the count tables) is fine.
 * - `USE TEMP B-TREE FOR ORDER BY` in a statement with a `LIMIT` that reads a growing table
 *   fails: it sorts every match to keep a few.
 * - `COUNT(` or `GROUP BY` over a growing table fails: it reads every row it counts.
 * - `col IS NOT NULL` beside a range on `col` fails: the plan cannot tell which one bounds the walk.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { Executed } from "./statement-recorder";

export const GROWING_TABLES = [
  "objects",
  "deliveries",
  "webhook_events",
  "object_history",
  "runs",
  "jobs",
  "job_messages",
] as const;

const NOT_AN_ALIAS = new Set([
  "where",
  "on",
  "inner",
  "left",
  "cross",
  "join",
  "set",
  "order",
  "group",
  "limit",
  "values",
  "select",
  "as",
  "using",
  "returning",
  "default",
  "union",
]);

export type PlanProblem = { sql: string; params: unknown[]; problem: string; plan: string[] };

/** Table names and aliases the statement reads or writes, each mapped to its table. */
function tablesOf(sql: string): Map<string, string> {
  const names = new Map<string, string>();
  const pattern =
    /\b(?:from|join|update|into)\s+"?([a-z_][a-z_0-9]*)"?(?:\s+(?:as\s+)?"?([a-z_][a-z_0-9]*)"?)?/gi;
  for (const match of sql.matchAll(pattern)) {
    const table = (match[1] ?? "").toLowerCase();
    names.set(table, table);
    const alias = match[2]?.toLowerCase();
    if (alias && !NOT_AN_ALIAS.has(alias)) names.set(alias, table);
  }
  return names;
}

const isGrowing = (table: string | undefined) => (GROWING_TABLES as readonly string[]).includes(table ?? "");

export function isQuery(sql: string): boolean {
  return /^\s*(select|insert|update|delete|with)\b/i.test(sql);
}

export function planOf(sqlite: BetterSqlite3.Database, statement: Executed): string[] {
  const rows = sqlite.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as Array<{
    detail: string;
  }>;
  return rows.map((row) => row.detail);
}

/**
 * An index walked in its own order with nothing filtered and a LIMIT reads LIMIT rows (the
 * newest webhooks): a scan in name only. So is one of a partial index under a LIMIT.
 */
function boundedWalk(
  sql: string,
  step: string,
  plan: string[],
  partialIndexes: ReadonlySet<string>,
): boolean {
  const index = / USING (?:COVERING )?INDEX ([a-z_0-9]+)/i.exec(step)?.[1];
  if (!index || !/\blimit\b/i.test(sql) || plan.some((s) => s.includes("TEMP B-TREE"))) return false;
  // A partial index holds only the rows its WHERE selects (the failed objects): walking it is
  // walking those rows in order, not the table.
  return !/\bwhere\b/i.test(sql) || partialIndexes.has(index);
}

export function judgePlan(
  statement: Executed,
  plan: string[],
  partialIndexes: ReadonlySet<string> = new Set(),
): PlanProblem[] {
  const tables = tablesOf(statement.sql);
  const growing = [...tables.values()].filter(isGrowing);
  const problems: string[] = [];
  for (const step of plan) {
    const scan = /^SCAN ([a-z_0-9]+)/i.exec(step);
    if (
      scan &&
      isGrowing(tables.get((scan[1] ?? "").toLowerCase())) &&
      !boundedWalk(statement.sql, step, plan, partialIndexes)
    )
      problems.push(`full scan of a growing table: ${step}`);
    if (
      /USE TEMP B-TREE FOR (ORDER|GROUP) BY/.test(step) &&
      growing.length > 0 &&
      /\blimit\b/i.test(statement.sql)
    )
      problems.push(`sorts every match to keep a LIMIT: ${step}`);
  }
  // EXPLAIN shows a range that starts at `col IS NOT NULL` as `(col>?)`: it walks every row with
  // a value, however selective the other terms look.
  for (const [, column] of statement.sql.matchAll(/"?([a-z_]+)"?\s+IS\s+NOT\s+NULL/gi)) {
    const range = plan.find((step) =>
      new RegExp(`USING .*INDEX .*\\(([a-z_]+=\\? AND )*${column}>\\?\\)`, "i").test(step),
    );
    if (range && isGrowing(tables.get(/^SEARCH ([a-z_0-9]+)/i.exec(range)?.[1]?.toLowerCase() ?? "")))
      problems.push(`may range over every non-null ${column} (IS NOT NULL beside a range): ${range}`);
  }
  if (growing.length > 0 && /\b(count\s*\(|group\s+by)/i.test(statement.sql))
    problems.push(`counts rows of ${growing.join(", ")} per call`);
  return problems.map((problem) => ({ sql: statement.sql, params: statement.params, problem, plan }));
}

/** The indexes with a WHERE clause (they hold only the rows it selects). */
export function partialIndexesOf(sqlite: BetterSqlite3.Database): Set<string> {
  const rows = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")
    .all() as Array<{ name: string }>;
  return new Set(rows.map((row) => row.name));
}

/** Every distinct statement's problems (each SQL text judged once, with its first parameters). */
export function planProblems(sqlite: BetterSqlite3.Database, executed: readonly Executed[]): PlanProblem[] {
  const partial = partialIndexesOf(sqlite);
  const seen = new Set<string>();
  const problems: PlanProblem[] = [];
  for (const statement of executed) {
    if (!isQuery(statement.sql) || seen.has(statement.sql)) continue;
    seen.add(statement.sql);
    problems.push(...judgePlan(statement, planOf(sqlite, statement), partial));
  }
  return problems;
}
