/**
 * Pause, resume, trigger and run history. Pausing stops passes and makes waiting ingest jobs
 * step aside; resuming queues a full pass, so whatever changed while paused (including webhooks
 * that were not acted on) is caught up.
 */
import { desc, eq } from "drizzle-orm";
import { runs, type SyncStatus, syncs } from "../db/schema";
import type { RunView, SyncView } from "../http/admin/schemas";
import { AppError } from "../lib/errors";
import type { AppServices } from "../service-graph";
import { schedulePass, triggerPass } from "./passes";
import { presentRun } from "./present";
import { findSync, getSync } from "./syncs";

export async function pauseSync(services: AppServices, bucketId: string, syncId: string): Promise<SyncView> {
  const row = await findSync(services, bucketId, syncId);
  if (row.status !== "paused") {
    await services.database.db
      .update(syncs)
      .set({
        status: "paused",
        statusReason: "Paused through the admin API",
        updatedAt: services.clock.now(),
      })
      .where(eq(syncs.id, syncId));
    services.logger.info("Sync paused", { sync_id: syncId });
  }
  return getSync(services, bucketId, syncId);
}

export async function resumeSync(
  services: AppServices,
  bucketId: string,
  syncId: string,
): Promise<SyncView & { run_id: string | null }> {
  const row = await findSync(services, bucketId, syncId);
  const now = services.clock.now();
  // An initial_only sync whose initial pass already finished goes back to re-checking, not listing.
  const status: SyncStatus =
    row.syncMode === "initial_only" && row.lastFullSweepAt !== null ? "completed" : "active";
  await services.database.db
    .update(syncs)
    .set({
      status,
      statusReason: null,
      consecutiveFailures: 0,
      nextRunAt: now + row.pollingIntervalSeconds * 1000,
      updatedAt: now,
    })
    .where(eq(syncs.id, syncId));
  const runId = await schedulePass(services, syncId, row.watermarkCreatedS === null ? "initial" : "full");
  services.logger.info("Sync resumed", { sync_id: syncId, run_id: runId });
  return { ...(await getSync(services, bucketId, syncId)), run_id: runId };
}

export async function triggerSync(services: AppServices, bucketId: string, syncId: string): Promise<string> {
  const row = await findSync(services, bucketId, syncId);
  if (row.status === "paused") {
    throw new AppError("CONFLICT", `Sync ${syncId} is paused: resume it (which also starts a pass)`);
  }
  const runId = await triggerPass(services, syncId, row.watermarkCreatedS === null ? "initial" : "triggered");
  services.logger.info("Sync pass triggered", { sync_id: syncId, run_id: runId });
  return runId;
}

export async function listRuns(
  services: AppServices,
  bucketId: string,
  syncId: string,
  limit: number,
): Promise<RunView[]> {
  await findSync(services, bucketId, syncId);
  const rows = await services.database.db
    .select()
    .from(runs)
    .where(eq(runs.syncId, syncId))
    .orderBy(desc(runs.startedAt), desc(runs.id))
    .limit(limit)
    .all();
  return rows.map(presentRun);
}
