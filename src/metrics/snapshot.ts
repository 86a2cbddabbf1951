/**
 * The gauges that live in the database rather than in a process: queue depth and age, objects by
 * state, runs and their `repaired` count. Read at scrape time, so every process (and a Worker)
 * reports the same truth, and a restart loses nothing.
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
  const [queue, oldest, objectRows, runRows, deliveryRows] = await Promise.all([
    jobs.countsByType(),
    jobs.oldestDueByType(now),
    db.all<{ state: string; n: number }>(sql`SELECT state, COUNT(*) AS n FROM objects GROUP BY state`),
    db.all<{ kind: string; status: string; n: number; repaired: number | null }>(
      sql`SELECT kind, status, COUNT(*) AS n, SUM(repaired) AS repaired FROM runs GROUP BY kind, status`,
    ),
    db.all<{ status: string; n: number }>(sql`SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status`),
  ]);
  return {
    queue,
    oldestDueAgeSeconds: oldest.map((r) => ({ type: r.type, seconds: Math.max(0, (now - r.since) / 1000) })),
    objects: objectRows.map((r) => ({ state: r.state, count: r.n })),
    runs: runRows.map((r) => ({ kind: r.kind, status: r.status, count: r.n, repaired: r.repaired ?? 0 })),
    deliveries: deliveryRows.map((r) => ({ status: r.status, count: r.n })),
  };
}

/** Deliveries that reached the pipeline after `after` (delivered_at, id), oldest first. */
export async function readNewDeliveries(
  database: Database,
  after: { at: number; id: string },
  limit = 5_000,
): Promise<Array<{ id: string; createdAt: number; deliveredAt: number }>> {
  const rows = await database.db.all<{ id: string; created_at: number; delivered_at: number }>(
    sql`SELECT id, created_at, delivered_at FROM deliveries
         WHERE status = 'delivered' AND delivered_at IS NOT NULL
           AND (delivered_at > ${after.at} OR (delivered_at = ${after.at} AND id > ${after.id}))
         ORDER BY delivered_at, id LIMIT ${limit}`,
  );
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, deliveredAt: r.delivered_at }));
}
