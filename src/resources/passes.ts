/**
 * Reconciliation passes as people and schedulers ask for them: the ones due now (the Node
 * poller, the Workers cron), one triggered by hand (API, dashboard), and `sync --once`'s view of
 * the passes it started. Each pass itself is the reconcile job's (`jobs/reconcile.ts`).
 */
import { and, asc, desc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { objects, type RunKind, runs, syncs } from "../db/schema";
import { schedulePass } from "../jobs/reconcile";
import { AppError } from "../lib/errors";
import type { Deps } from "../sync/deps";
import { presentRun } from "./present";
import type { RunView } from "./views";

type PassDeps = Pick<Deps, "database" | "jobs" | "clock" | "doorbell">;
type SyncRow = typeof syncs.$inferSelect;

/** Like `schedulePass`, for people: a missing sync is a 404, a busy one says so. */
export async function triggerPass(
  deps: PassDeps,
  input: { syncId: string; kind?: RunKind },
): Promise<string> {
  const sync = await deps.database.db
    .select({ id: syncs.id })
    .from(syncs)
    .where(eq(syncs.id, input.syncId))
    .get();
  if (!sync) throw new AppError("NOT_FOUND", `Sync ${input.syncId} does not exist`);
  const runId = await schedulePass(deps, input.syncId, input.kind ?? "triggered");
  if (!runId) throw new AppError("CONFLICT", `A pass of sync ${input.syncId} is already queued or running`);
  return runId;
}

/**
 * Claims the syncs whose pass is due and queues a pass for each. The claim moves `next_run_at`
 * forward with a compare-and-swap, so two schedulers sharing the database never both queue one.
 */
export async function scheduleDuePasses(
  deps: PassDeps,
  input: { jitter?: () => number; limit?: number } = {},
): Promise<string[]> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const due = await db
    .select({
      id: syncs.id,
      interval: syncs.pollingIntervalSeconds,
      next: syncs.nextRunAt,
      watermark: syncs.watermarkCreatedS,
    })
    .from(syncs)
    // Completed initial_only syncs keep re-checking the objects still waiting (no listing); syncs
    // suspended for an environment change check whether the token reaches the pinned one again.
    .where(
      and(
        or(inArray(syncs.status, ["active", "completed"]), eq(syncs.suspension, "environment_changed")),
        lte(syncs.nextRunAt, now),
      ),
    )
    // The longest overdue first: with a `limit`, the others stay due for the next call.
    .orderBy(asc(syncs.nextRunAt))
    .limit(input.limit ?? -1)
    .all();
  const scheduled: string[] = [];
  for (const sync of due) {
    // ±10 % jitter spreads syncs that share an interval over time.
    const jitter = 1 + ((input.jitter ?? Math.random)() - 0.5) * 0.2;
    const next = now + Math.round(sync.interval * 1000 * jitter);
    const claimed = await db
      .update(syncs)
      .set({ nextRunAt: next })
      .where(and(eq(syncs.id, sync.id), eq(syncs.nextRunAt, sync.next ?? now)))
      .returning({ id: syncs.id });
    if (claimed.length === 0) continue;
    const runId = await schedulePass(deps, sync.id, sync.watermark === null ? "initial" : "scheduled");
    if (runId) scheduled.push(runId);
  }
  return scheduled;
}

/** The syncs a one-off run takes: these ids (each must exist), or every active sync. */
export async function passTargets(
  deps: Pick<Deps, "database">,
  input: { syncIds: string[] },
): Promise<SyncRow[]> {
  const { db } = deps.database;
  if (input.syncIds.length === 0) return db.select().from(syncs).where(eq(syncs.status, "active")).all();
  const found = await db.select().from(syncs).where(inArray(syncs.id, input.syncIds)).all();
  const missing = input.syncIds.filter((id) => !found.some((s) => s.id === id));
  if (missing.length > 0)
    throw new AppError("NOT_FOUND", `no sync ${missing.join(", ")} (mux-ingest status lists them)`);
  return found;
}

/** Queues a pass of the sync, or follows one already queued (by `serve`, or a run cut short). */
export async function startOrFollowPass(deps: PassDeps, input: { sync: SyncRow }): Promise<string> {
  const { sync } = input;
  const runId = await schedulePass(deps, sync.id, sync.watermarkCreatedS === null ? "initial" : "triggered");
  if (runId) return runId;
  const pending = await deps.database.db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.syncId, sync.id), inArray(runs.status, ["queued", "running"])))
    .orderBy(desc(runs.startedAt))
    .get();
  if (!pending) throw new AppError("CONFLICT", `could not queue a pass of sync ${sync.id}`);
  return pending.id;
}

export type PassProgress = {
  statuses: string[];
  pages: number;
  assetsSeen: number;
  enqueued: number;
  jobs: { pending: number; running: number; dead: number };
};

/** How far the given passes and the queue have got. */
export async function passProgress(
  deps: Pick<Deps, "database" | "jobs">,
  input: { runIds: string[] },
): Promise<PassProgress> {
  const rows = await deps.database.db.select().from(runs).where(inArray(runs.id, input.runIds)).all();
  const queue = await deps.jobs.counts();
  const sum = (key: "pages" | "assetsSeen" | "enqueued") => rows.reduce((n, r) => n + r[key], 0);
  return {
    statuses: rows.map((r) => r.status),
    pages: sum("pages"),
    assetsSeen: sum("assetsSeen"),
    enqueued: sum("enqueued"),
    jobs: { pending: queue.pending, running: queue.running, dead: queue.dead },
  };
}

export type PassResult = {
  sync_id: string;
  run: RunView | null;
  objects: Record<string, number>;
  failed: Array<{ asset_id: string; reason: string | null; message: string | null }>;
};

/** A finished pass: its run, the sync's objects by state, and (some of) its failed objects. */
export async function passResult(
  deps: Pick<Deps, "database">,
  input: { syncId: string; runId: string },
): Promise<PassResult> {
  const { db } = deps.database;
  const run = await db.select().from(runs).where(eq(runs.id, input.runId)).get();
  const counts = await db
    .select({ state: objects.state, n: sql<number>`COUNT(*)` })
    .from(objects)
    .where(eq(objects.syncId, input.syncId))
    .groupBy(objects.state)
    .all();
  const failed = await db
    .select({ asset_id: objects.assetId, reason: objects.reason, message: objects.message })
    .from(objects)
    .where(and(eq(objects.syncId, input.syncId), eq(objects.state, "failed")))
    .limit(50)
    .all();
  return {
    sync_id: input.syncId,
    run: run ? presentRun(run) : null,
    objects: Object.fromEntries(counts.map((c) => [c.state, c.n])),
    failed,
  };
}
