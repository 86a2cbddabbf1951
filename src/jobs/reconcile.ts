/**
 * The reconcile job: one pass of one sync. It lists the library (`reconcile-listing.ts`) and
 * re-checks what the listing did not cover (`reconcile-checks.ts`), and only *enqueues* ingest
 * work; the ingest jobs do the rest, exactly as for webhooks. A full sweep, at a slower cadence,
 * also looks for deletions.
 *
 * Starting a pass is an enqueue too (`schedulePass`): a run row plus this job keyed by the sync,
 * written together. The key makes the queue itself refuse a second pass of a sync while one is
 * waiting or running; the sync lease (taken by the job) guards the rest.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type RunKind, runs, syncs } from "../db/schema";
import { statement } from "../db/statement";
import { AppError, RetryAfterError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { Deps, ReconcileSettings } from "../sync/deps";
import { requireEnvironment, resumeEnvironmentSuspended } from "../sync/environment-guard";
import { abandonRun, bumpRun, failRun, finishRun, type RunRow, startRun } from "../sync/run-record";
import { assetIdFromSourcePath } from "../sync/settings";
import { acquireSyncLease, releaseSyncLease } from "../sync/sync-lease";
import { defineJob } from "./job-type";
import { checkUnseenForDeletion, recheckWaiting } from "./reconcile-checks";
import { enqueueIngestForPass } from "./reconcile-enqueue";
import { type ListingResult, listLibrary } from "./reconcile-listing";

const reconcilePayload = z.object({ syncId: z.string(), runId: z.string() });
type ReconcileInput = z.output<typeof reconcilePayload>;

export const reconcileJob = defineJob({
  type: "reconcile",
  payload: reconcilePayload,
  key: ({ syncId }) => reconcileKey(syncId),
  maxAttempts: 3,
  handle: (deps, payload) => runReconcilePass(deps, payload),
  onDead: async (deps, { syncId, runId }, _job, error) => {
    const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, syncId)).get();
    if (sync) await failRun(deps, deps.reconcile, sync, runId, error);
  },
});

/** One pass per sync at a time: the key is the sync's. */
export function reconcileKey(syncId: string): string {
  return `reconcile:${syncId}`;
}

type SyncRow = typeof syncs.$inferSelect;

/**
 * Queues a pass of `kind` for a sync. Resolves with the new run id, or null when a pass of this
 * sync is already queued or running (or the sync does not exist).
 */
export async function schedulePass(
  deps: Pick<Deps, "database" | "jobs" | "clock" | "doorbell">,
  syncId: string,
  kind: RunKind,
  options: { reevaluate?: boolean } = {},
): Promise<string | null> {
  const now = deps.clock.now();
  const runId = newId("run");
  const request = reconcileJob.request({ syncId, runId });
  const reevaluate = options.reevaluate ? 1 : 0;
  const [inserted] = await deps.database.atomic([
    statement`INSERT INTO runs (id, sync_id, kind, status, started_at, reevaluate)
        SELECT ${runId}, ${syncId}, ${kind}, 'queued', ${now}, ${reevaluate}
        WHERE NOT ${deps.jobs.activeCondition(request.key)} AND EXISTS (SELECT 1 FROM syncs WHERE id = ${syncId})`,
    deps.jobs.enqueueStatement(request, {
      onlyIf: statement`EXISTS (SELECT 1 FROM runs WHERE id = ${runId})`,
    }),
  ]);
  if (!inserted?.changed) return null;
  deps.doorbell.ring();
  return runId;
}

export async function runReconcilePass(deps: Deps, input: ReconcileInput): Promise<void> {
  const settings = deps.reconcile;
  const { db } = deps.database;
  const run = await db.select().from(runs).where(eq(runs.id, input.runId)).get();
  const sync = await db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!run || !sync || run.status === "succeeded" || run.status === "failed") return;

  const now = deps.clock.now();
  if (!(await acquireSyncLease(deps, sync.id, run.id, now + settings.leaseMs))) {
    throw new RetryAfterError(
      Math.max(1_000, (sync.leaseUntil ?? now) - now),
      `Sync ${sync.id} is being reconciled elsewhere`,
    );
  }
  try {
    if (!(await requireEnvironment(deps, sync.connectionId))) {
      // The syncs are suspended with the reason; the pass ends without listing another library.
      await abandonRun(deps, run.id, "The access token reaches another Mux environment");
      return;
    }
    // Suspended for an environment change, and the token reaches the pinned one again.
    const resumed = await resumeEnvironmentSuspended(deps, sync.connectionId);
    for (const other of resumed) if (other !== sync.id) await schedulePass(deps, other, "full");
    let full = resumed.includes(sync.id) || isFullSweep(run, sync, settings, now);
    await startRun(deps, run, full && run.kind === "scheduled" ? "full" : run.kind);
    if (sync.syncMode === "initial_only" && sync.snapshotAt === null) {
      // Assets created after this moment are out of an initial_only sync's scope.
      await db.update(syncs).set({ snapshotAt: run.startedAt }).where(eq(syncs.id, sync.id));
      sync.snapshotAt = run.startedAt;
    }
    const onlyAsset = assetIdFromSourcePath(sync.sourcePath);
    const listing = listingDone(run)
      ? { finished: true, full, pages: 0 }
      : await walk(deps, sync, run, full, onlyAsset);
    if (!listing.finished) {
      // Out of pages for this run of the job: the cursor is saved, the job runs again.
      await deps.jobs.enqueue(reconcileJob.request(input));
      return;
    }
    full = listing.full;
    // The deletion check shares the run's page budget (a chunk costs about what a page does);
    // what it has not reached is checked by the next run of the job, after the listing.
    const budget = settings.maxPagesPerRun - listing.pages;
    if (full && !onlyAsset && !(await checkUnseenForDeletion(deps, sync, run, budget))) {
      await deps.jobs.enqueue(reconcileJob.request(input));
      return;
    }
    await recheckWaiting(deps, sync, run);
    await finishRun(deps, sync, run, full);
  } catch (err) {
    if (err instanceof AppError && err.retryable) throw err;
    await failRun(deps, settings, sync, run.id, err);
  } finally {
    await releaseSyncLease(deps, sync.id, run.id);
    deps.doorbell.ring();
  }
}

/**
 * An earlier run of this job listed the whole library: its pages are counted and no cursor is
 * left (the page that ends a listing clears the cursor in the same write that counts it).
 */
function listingDone(run: RunRow): boolean {
  return run.pages > 0 && run.cursor === null;
}

/** The listing part of a pass. */
async function walk(
  deps: Deps,
  sync: SyncRow,
  run: RunRow,
  full: boolean,
  onlyAsset: string | null,
): Promise<ListingResult> {
  if (onlyAsset) {
    // One asset: no library scan. Its ingest job makes the single GET.
    const [result] = await deps.database.atomic([enqueueIngestForPass(deps, sync, run.id, onlyAsset, null)]);
    await bumpRun(deps, run.id, { enqueued: result?.changed ? 1 : 0 });
    return { finished: true, full, pages: 0 };
  }
  if (sync.syncMode === "continuous" || sync.status !== "completed")
    return listLibrary(deps, sync, run, full);
  return { finished: true, full, pages: 0 };
}

function isFullSweep(run: RunRow, sync: SyncRow, settings: ReconcileSettings, now: number): boolean {
  if (run.kind === "initial" || run.kind === "full" || run.orderViolation || sync.watermarkCreatedS === null)
    return true;
  return sync.lastFullSweepAt === null || now - sync.lastFullSweepAt >= settings.fullSweepIntervalMs;
}
