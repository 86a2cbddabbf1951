/**
 * The flow at a glance: the last day of the activity buckets (`src/db/activity.ts`), one range of
 * their key, as one count per series per ten minutes, and the delivery latency percentiles of
 * each bucket (and of the whole day) read from the latency bins. A percentile is the bin it falls
 * in, shown as that bin's upper bound ("≤ 2.5 s"), or "over an hour" for the last, unbounded bin.
 */
import { gte } from "drizzle-orm";
import {
  ACTIVITY_BUCKET_MS,
  ACTIVITY_SERIES,
  type ActivitySeries,
  activityBuckets,
  LATENCY_BINS_MS,
  latencySeries,
} from "../db/activity";
import type { Deps } from "../sync/deps";
import { isoTime } from "./present";

/** Buckets shown: one day of ten-minute buckets, the current one last. */
export const ACTIVITY_BUCKETS_SHOWN = (24 * 3600_000) / ACTIVITY_BUCKET_MS;
export const PERCENTILES = [50, 95, 99] as const;
export type Percentile = (typeof PERCENTILES)[number];

/** Index of a latency bin; `LATENCY_BINS_MS.length` is the unbounded one. */
export type LatencyBin = number;

export type ActivityView = {
  generated_at: string | null;
  bucket_ms: number;
  /** Each bucket's start (ISO), oldest first. */
  starts: string[];
  counts: Record<ActivitySeries, number[]>;
  totals: Record<ActivitySeries, number>;
  /** Per bucket, the bin each percentile falls in (null: nothing delivered in it). */
  latency: Record<Percentile, Array<LatencyBin | null>>;
  /** The whole day's percentiles. */
  latency_day: Record<Percentile, LatencyBin | null>;
};

const BIN_COUNT = LATENCY_BINS_MS.length + 1;

/** The bin holding the `p`th percentile of these bin counts, or null when they are all zero. */
export function percentileBin(bins: readonly number[], p: number): LatencyBin | null {
  const total = bins.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i] ?? 0;
    if (seen >= rank) return i;
  }
  return bins.length - 1;
}

/** A latency bin as a person reads it. */
export function binLabel(bin: LatencyBin | null): string {
  if (bin === null) return "—";
  const bound = LATENCY_BINS_MS[bin];
  if (bound === undefined) return "over an hour";
  return bound < 1_000
    ? `≤ ${bound} ms`
    : bound < 60_000
      ? `≤ ${bound / 1_000} s`
      : `≤ ${bound / 60_000} min`;
}

export async function readActivity(deps: Pick<Deps, "database" | "clock">): Promise<ActivityView> {
  const now = deps.clock.now();
  const last = now - (now % ACTIVITY_BUCKET_MS);
  const first = last - (ACTIVITY_BUCKETS_SHOWN - 1) * ACTIVITY_BUCKET_MS;
  const rows = await deps.database.db
    .select()
    .from(activityBuckets)
    .where(gte(activityBuckets.bucketStart, first))
    .all();
  const index = (start: number) => Math.floor((start - first) / ACTIVITY_BUCKET_MS);
  const zeros = () => Array.from({ length: ACTIVITY_BUCKETS_SHOWN }, () => 0);
  const counts = Object.fromEntries(ACTIVITY_SERIES.map((s) => [s, zeros()])) as Record<
    ActivitySeries,
    number[]
  >;
  const bins = Array.from({ length: ACTIVITY_BUCKETS_SHOWN }, () =>
    Array.from({ length: BIN_COUNT }, () => 0),
  );
  const binOf = new Map(Array.from({ length: BIN_COUNT }, (_, i) => [latencySeries(i), i]));
  for (const row of rows) {
    const i = index(row.bucketStart);
    if (i < 0 || i >= ACTIVITY_BUCKETS_SHOWN) continue;
    const bin = binOf.get(row.series);
    if (bin !== undefined) {
      const bucket = bins[i];
      if (bucket) bucket[bin] = (bucket[bin] ?? 0) + row.n;
    } else if ((ACTIVITY_SERIES as readonly string[]).includes(row.series)) {
      const series = counts[row.series as ActivitySeries];
      series[i] = (series[i] ?? 0) + row.n;
    }
  }
  const day = Array.from({ length: BIN_COUNT }, (_, b) =>
    bins.reduce((sum, bucket) => sum + (bucket[b] ?? 0), 0),
  );
  const byPercentile = <T>(f: (p: Percentile) => T) =>
    Object.fromEntries(PERCENTILES.map((p) => [p, f(p)])) as Record<Percentile, T>;
  return {
    generated_at: isoTime(now),
    bucket_ms: ACTIVITY_BUCKET_MS,
    starts: Array.from(
      { length: ACTIVITY_BUCKETS_SHOWN },
      (_, i) => isoTime(first + i * ACTIVITY_BUCKET_MS) ?? "",
    ),
    counts,
    totals: Object.fromEntries(
      ACTIVITY_SERIES.map((s) => [s, counts[s].reduce((sum, n) => sum + n, 0)]),
    ) as Record<ActivitySeries, number>,
    latency: byPercentile((p) => bins.map((bucket) => percentileBin(bucket, p))),
    latency_day: byPercentile((p) => percentileBin(day, p)),
  };
}
