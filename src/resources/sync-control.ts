/**
 * Pause, resume, trigger and run history. Pausing stops passes and makes waiting ingest jobs
 * step aside; resuming queues a full pass, so whatever changed while paused (including webhooks
 * that were not acted on) is caught up.
 */
import { desc, eq } from "drizzle-orm";
import { runs, type SyncStatus, syncs } from "../db/schema";
import { ingestJob } from "../jobs/ingest";
import { schedulePass } from "../jobs/reconcile";
import { IDS_PER_QUERY } from "../jobs/reconcile-enqueue";
import { AppError } from "../lib/errors";
import { heldDeletions, releaseHeldDeletions } from "../sync/deletion-guard";
import type { Deps } from "../sync/deps";
import { triggerPass } from "./passes";
import { presentRun } from "./present";
import { findSync, getSync, type SyncRef } from "./syncs";
import type { RunView, SyncView } from "./views";

type ControlDeps = Pick<Deps, "database" | "jobs" | "clock" | "logger" | "doorbell">;

export async function pauseSync(deps: ControlDeps, ref: SyncRef): Promise<SyncView> {
  const row = await findSync(deps, ref);
  if (row.status !== "paused") {
    await deps.database.db
      .update(syncs)
      .set({
        status: "paused",
        statusReason: "Paused through the admin API",
        updatedAt: deps.clock.now(),
      })
      .where(eq(syncs.id, ref.syncId));
    deps.logger.info("Sync paused", { sync_id: ref.syncId });
  }
  return getSync(deps, ref);
}

/**
 * Resumes a sync: passes run again, and a full pass catches up on whatever changed meanwhile.
 * Deletions the guard held are released, not applied (the objects stay).
 */
export async function resumeSync(
  deps: ControlDeps,
  ref: SyncRef,
): Promise<SyncView & { run_id: string | null }> {
  const row = await findSync(deps, ref);
  const now = deps.clock.now();
  // An initial_only sync whose initial pass already finished goes back to re-checking, not listing.
  const status: SyncStatus =
    row.syncMode === "initial_only" && row.lastFullSweepAt !== null ? "completed" : "active";
  await deps.database.atomic([
    deps.database.db
      .update(syncs)
      .set({
        status,
        suspension: null,
        statusReason: null,
        consecutiveFailures: 0,
        nextRunAt: now + row.pollingIntervalSeconds * 1000,
        updatedAt: now,
      })
      .where(eq(syncs.id, ref.syncId)),
    releaseHeldDeletions(deps, ref.syncId),
  ]);
  const runId = await schedulePass(deps, ref.syncId, row.watermarkCreatedS === null ? "initial" : "full");
  deps.logger.info("Sync resumed", { sync_id: ref.syncId, run_id: runId });
  return { ...(await getSync(deps, ref)), run_id: runId };
}

/**
 * A person confirms the deletions the guard held: each held object's ingest job runs again and
 * applies the deletion if Mux still answers 404 (an asset that came back is simply kept). The
 * sync runs again.
 */
export async function confirmDeletions(
  deps: ControlDeps,
  ref: SyncRef,
): Promise<SyncView & { confirmed: number }> {
  const row = await findSync(deps, ref);
  if (row.suspension !== "deletion_guard") {
    throw new AppError("CONFLICT", `Sync ${ref.syncId} holds no deletions (it is ${row.status})`);
  }
  let confirmed = 0;
  for (let afterId = ""; ; ) {
    const page = await heldDeletions(deps, ref.syncId, { afterId, limit: IDS_PER_QUERY });
    if (page.length === 0) break;
    await deps.database.atomic(
      page.map((held) =>
        deps.jobs.enqueueStatement(
          ingestJob.request({
            syncId: row.id,
            assetId: held.assetId,
            via: "trigger",
            deletionConfirmed: true,
          }),
        ),
      ),
    );
    confirmed += page.length;
    afterId = page[page.length - 1]?.id ?? afterId;
  }
  const now = deps.clock.now();
  await deps.database.db
    .update(syncs)
    .set({ status: "active", suspension: null, statusReason: null, nextRunAt: now, updatedAt: now })
    .where(eq(syncs.id, ref.syncId));
  deps.doorbell.ring();
  deps.logger.warn("Held deletions confirmed", { sync_id: ref.syncId, confirmed });
  return { ...(await getSync(deps, ref)), confirmed };
}

export async function triggerSync(deps: ControlDeps, ref: SyncRef): Promise<string> {
  const row = await findSync(deps, ref);
  if (row.status === "paused") {
    throw new AppError("CONFLICT", `Sync ${ref.syncId} is paused: resume it (which also starts a pass)`);
  }
  const runId = await triggerPass(deps, {
    syncId: ref.syncId,
    kind: row.watermarkCreatedS === null ? "initial" : "triggered",
  });
  deps.logger.info("Sync pass triggered", { sync_id: ref.syncId, run_id: runId });
  return runId;
}

export async function listRuns(
  deps: Pick<Deps, "database">,
  input: SyncRef & { limit: number },
): Promise<RunView[]> {
  await findSync(deps, input);
  const rows = await deps.database.db
    .select()
    .from(runs)
    .where(eq(runs.syncId, input.syncId))
    .orderBy(desc(runs.startedAt), desc(runs.id))
    .limit(input.limit)
    .all();
  return rows.map(presentRun);
}
