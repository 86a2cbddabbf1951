/**
 * The count tables that `/metrics` and the dashboard read instead of counting tables that grow
 * with history. SQLite triggers (migration 0006) keep them; nothing in the code writes them.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Row counts of the tables `/metrics` reports on, kept by triggers on those tables (migration
 * 0006): every insert, state change and deletion adjusts its row in the same statement, so a
 * scrape reads a handful of rows instead of counting a table that grows with history.
 * `family` is the table, `k1`/`k2` the values counted by (`''` when unused); `sum` is the sum of
 * `runs.repaired` for the `runs` family.
 */
export const gaugeCounts = sqliteTable(
  "gauge_counts",
  {
    family: text("family").notNull(),
    k1: text("k1").notNull(),
    k2: text("k2").notNull().default(""),
    n: integer("n").notNull().default(0),
    sum: integer("sum").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.family, t.k1, t.k2] })],
);

/**
 * Objects by bucket, state and reason (`''` for none), kept by triggers on `objects` (migration
 * 0007): the dashboard's and `status`'s counters read these rows instead of counting a bucket.
 */
export const objectCounts = sqliteTable(
  "object_counts",
  {
    bucketId: text("bucket_id").notNull(),
    state: text("state").notNull(),
    reason: text("reason").notNull().default(""),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucketId, t.state, t.reason] })],
);
