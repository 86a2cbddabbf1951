/**
 * The flow at a glance: how many things happened per `ACTIVITY_BUCKET_MS` of time, per series,
 * kept as the events are written (SQLite triggers on the rows the events already write,
 * migration 0015; the Mux 429s by one upsert where the Mux client sees them), so the activity
 * page reads at most a day of small rows and never scans history. Delivery latency is counted
 * into fixed bins (`LATENCY_BINS_MS`), one series per bin, so percentiles come from the counts.
 * Buckets older than `ACTIVITY_KEEP_MS` are pruned by retention (`src/sync/retention.ts`).
 */
import { type SQL, sql } from "drizzle-orm";
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Ten minutes: 144 buckets a day, per series. */
export const ACTIVITY_BUCKET_MS = 600_000;
/** How long the buckets are kept (the page shows one day of them). */
export const ACTIVITY_KEEP_MS = 3 * 24 * 3600_000;

/**
 * The counted series: webhook events recorded, deliveries the pipeline accepted, objects that
 * became `failed`, objects a reconciliation pass repaired (`runs.repaired`), Mux answers 429.
 */
export const ACTIVITY_SERIES = ["webhooks", "delivered", "failures", "repairs", "mux_429"] as const;
export type ActivitySeries = (typeof ACTIVITY_SERIES)[number];

/**
 * Upper bounds (inclusive, ms) of the delivery latency bins, from the delivery row's creation
 * (the write that decided the pipeline must be told) to the pipeline's 2xx; one more bin holds
 * everything slower. The triggers of migration 0015 spell the same bounds.
 */
export const LATENCY_BINS_MS = [
  50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000,
] as const;

/** The series of latency bin `i` (`latency_00` … `latency_13`, the last one unbounded). */
export function latencySeries(i: number): string {
  return `latency_${String(i).padStart(2, "0")}`;
}

export const activityBuckets = sqliteTable(
  "activity_buckets",
  {
    /** The bucket's start, ms since the epoch, a multiple of `ACTIVITY_BUCKET_MS`. */
    bucketStart: integer("bucket_start").notNull(),
    series: text("series").notNull(),
    n: integer("n").notNull().default(0),
  },
  // Time first: the page reads one range (the last day), retention deletes one range (the oldest).
  (t) => [primaryKey({ columns: [t.bucketStart, t.series] })],
);

/**
 * Adds `n` to the bucket of a series holding `at`, only if `onlyIf` holds (SQL, later in the
 * same batch as the write it counts): the one statement each counted event costs.
 */
export function countActivityStatement(
  series: ActivitySeries,
  at: number,
  options: { n?: number; onlyIf?: SQL } = {},
): SQL {
  const start = at - (at % ACTIVITY_BUCKET_MS);
  // `WHERE` before `ON CONFLICT` keeps SQLite from reading the upsert as a join.
  return sql`INSERT INTO activity_buckets (bucket_start, series, n)
    SELECT ${start}, ${series}, ${options.n ?? 1} WHERE ${options.onlyIf ?? sql`1`}
    ON CONFLICT (bucket_start, series) DO UPDATE SET n = n + excluded.n`;
}
