/**
 * Starting a reconciliation pass is an enqueue, never inline work: a run row plus one
 * `reconcile` job keyed by the sync, written together. The key makes the queue itself refuse a
 * second pass of a sync while one is waiting or running; the sync lease (taken by the job)
 * guards the rest. Webhook, poll and trigger work then all meet in the same ingest jobs.
 */
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type RunKind, syncs } from "../db/schema";
import type { Clock } from "../lib/clock";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { JobStore } from "../queue/job-store";
import { DEFAULT_QUEUE } from "../queue/types";

export const RECONCILE_JOB = "reconcile";

export function reconcileJobKey(syncId: string): string {
  return `reconcile:${syncId}`;
}

export type ScheduleServices = { database: Database; jobs: JobStore; clock: Clock; notifyJobs: () => void };

/**
 * Queues a pass of `kind` for a sync. Resolves with the new run id, or null when a pass of this
 * sync is already queued or running.
 */
export async function schedulePass(
  services: ScheduleServices,
  syncId: string,
  kind: RunKind,
): Promise<string | null> {
  const now = services.clock.now();
  const runId = newId("run");
  const key = reconcileJobKey(syncId);
  const idle = sql`NOT EXISTS (SELECT 1 FROM jobs WHERE queue = ${DEFAULT_QUEUE} AND idempotency_key = ${key}
                                 AND status IN ('pending', 'running'))`;
  const [inserted] = await services.database.atomic([
    sql`INSERT INTO runs (id, sync_id, kind, status, started_at) SELECT ${runId}, ${syncId}, ${kind}, 'queued', ${now}
        WHERE ${idle} AND EXISTS (SELECT 1 FROM syncs WHERE id = ${syncId})`,
    services.jobs.enqueueStatement(
      { type: RECONCILE_JOB, key, payload: { syncId, runId }, maxAttempts: 3 },
      { onlyIf: sql`EXISTS (SELECT 1 FROM runs WHERE id = ${runId})` },
    ),
  ]);
  if ((inserted?.changes ?? 0) === 0) return null;
  services.notifyJobs();
  return runId;
}

/** Like `schedulePass`, for people: a missing sync is a 404, a busy one says so. */
export async function triggerPass(services: ScheduleServices, syncId: string, kind: RunKind = "triggered") {
  const sync = await services.database.db
    .select({ id: syncs.id })
    .from(syncs)
    .where(eq(syncs.id, syncId))
    .get();
  if (!sync) throw new AppError("NOT_FOUND", `Sync ${syncId} does not exist`);
  const runId = await schedulePass(services, syncId, kind);
  if (!runId) throw new AppError("CONFLICT", `A pass of sync ${syncId} is already queued or running`);
  return runId;
}

/**
 * Claims the syncs whose pass is due and queues a pass for each. The claim moves `next_run_at`
 * forward with a compare-and-swap, so two schedulers sharing the database never both queue one.
 */
export async function scheduleDuePasses(
  services: ScheduleServices,
  options: { jitter?: () => number } = {},
): Promise<string[]> {
  const { db } = services.database;
  const now = services.clock.now();
  const due = await db
    .select({
      id: syncs.id,
      interval: syncs.pollingIntervalSeconds,
      next: syncs.nextRunAt,
      watermark: syncs.watermarkCreatedS,
    })
    .from(syncs)
    // Completed initial_only syncs keep re-checking the objects still waiting (no listing).
    .where(and(inArray(syncs.status, ["active", "completed"]), lte(syncs.nextRunAt, now)))
    .all();
  const scheduled: string[] = [];
  for (const sync of due) {
    // ±10 % jitter spreads syncs that share an interval over time.
    const jitter = 1 + ((options.jitter ?? Math.random)() - 0.5) * 0.2;
    const next = now + Math.round(sync.interval * 1000 * jitter);
    const claimed = await db
      .update(syncs)
      .set({ nextRunAt: next })
      .where(and(eq(syncs.id, sync.id), eq(syncs.nextRunAt, sync.next ?? now)))
      .returning({ id: syncs.id });
    if (claimed.length === 0) continue;
    const runId = await schedulePass(services, sync.id, sync.watermark === null ? "initial" : "scheduled");
    if (runId) scheduled.push(runId);
  }
  return scheduled;
}
