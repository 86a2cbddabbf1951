/**
 * The gauges that live in the database rather than in a process: queue depth and age, objects by
 * state, runs and their `repaired` count. Read at scrape time, so every process (and a Worker)
 * reports the same truth, and a restart loses nothing; read from counts the tables' triggers keep
 * (`gauge_counts`, `job_counts`), so a scrape costs a few rows however long the history.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { JobStore } from "../queue/job-store";

export type MetricsSnapshot = {
  queue: Array<{ type: string; status: string; count: number }>;
  /** Seconds the oldest due-but-unclaimed job has been waiting, per job type. */
  oldestDueAgeSeconds: Array<{ type: string; seconds: number }>;
  objects: Array<{ state: string; count: number }>;
  runs: Array<{ kind: string; status: string; count: number; repaired: number }>;
  deliveries: Array<{ status: string; count: number }>;
};

export async function readMetricsSnapshot(
  database: Database,
  jobs: JobStore,
  now: number,
): Promise<MetricsSnapshot> {
  const { db } = database;
  const [queue, oldest, counts, objectRows] = await Promise.all([
    jobs.countsByType(),
    jobs.oldestDueByType(now),
    // The trigger-kept counts (migrations 0006, 0009): a few rows, whatever the size of the tables.
    db.all<{ family: string; k1: string; k2: string; n: number; sum: number }>(
      sql`SELECT family, k1, k2, n, sum FROM gauge_counts WHERE n > 0 ORDER BY family, k1, k2`,
    ),
    db.all<{ state: string; n: number }>(
      sql`SELECT state, SUM(n) AS n FROM object_counts GROUP BY state HAVING SUM(n) > 0 ORDER BY state`,
    ),
  ]);
  const of = (family: string) => counts.filter((r) => r.family === family);
  const runRows = of("runs").map((r) => ({ kind: r.k1, status: r.k2, n: r.n, repaired: r.sum }));
  const deliveryRows = of("deliveries").map((r) => ({ status: r.k1, n: r.n }));
  return {
    queue,
    oldestDueAgeSeconds: oldest.map((r) => ({ type: r.type, seconds: Math.max(0, (now - r.since) / 1000) })),
    objects: objectRows.map((r) => ({ state: r.state, count: r.n })),
    runs: runRows.map((r) => ({ kind: r.kind, status: r.status, count: r.n, repaired: r.repaired })),
    deliveries: deliveryRows.map((r) => ({ status: r.status, count: r.n })),
  };
}
