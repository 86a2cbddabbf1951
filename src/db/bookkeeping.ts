/**
 * The service's bookkeeping about its own tables: the row counts that `/metrics` and the
 * dashboard read instead of counting tables that grow with history (kept by SQLite triggers,
 * migration 0006; nothing in the code writes them), and how far retention got.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Row counts of the tables `/metrics` reports on, kept by triggers on those tables (migration
 * 0006): every insert, state change and deletion adjusts its row in the same statement, so a
 * scrape reads a handful of rows instead of counting a table that grows with history.
 * `family` is the table (`deliveries`, `runs`; objects are counted once, in `object_counts`),
 * `k1`/`k2` the values counted by (`''` when unused); `sum` is the sum of `runs.repaired`.
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
 * 0009): the dashboard's, `status`'s and `/metrics`' counters read these rows (summed by state for
 * `/metrics`) instead of counting a bucket.
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

/**
 * Where retention's walks stand, one row (`id` 1) of JSON: kept in the database, not in the
 * process, so a Worker isolate (or a restarted process) carries on where the last call stopped
 * instead of starting every walk again from the top. Written only by `src/sync/retention.ts`.
 */
export const retentionState = sqliteTable("retention_state", {
  id: integer("id").primaryKey(),
  state: text("state").notNull(),
});
