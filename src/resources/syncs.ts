/**
 * Sync verbs: bind a bucket to a connection with its settings. Creating one queues its initial
 * pass at once; changing what it selects queues a full pass, so objects already seen are judged
 * again by the new rules.
 */
import { and, desc, eq } from "drizzle-orm";
import { connections, runs, type SyncStatus, syncs } from "../db/schema";
import { schedulePass } from "../jobs/reconcile";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { Deps } from "../sync/deps";
import {
  DEFAULT_POLLING_INTERVAL_SECONDS,
  DEFAULT_SOURCE_PATH,
  DEFAULT_SYNC_MODE,
  DEFAULT_WAIT_FOR_GRACE_SECONDS,
} from "../sync/settings";
import { findBucket } from "./buckets";
import { presentSync } from "./present";
import { deleteSyncStatements } from "./sync-removal";
import type { SyncCreateInput, SyncPatchInput, SyncView } from "./views";

type ReadDeps = Pick<Deps, "database">;
type WriteDeps = Pick<Deps, "database" | "jobs" | "clock" | "logger" | "doorbell" | "storage">;
export type SyncRef = { bucketId: string; syncId: string };

type SyncRow = typeof syncs.$inferSelect;

export async function findSync(deps: ReadDeps, { bucketId, syncId }: SyncRef): Promise<SyncRow> {
  await findBucket(deps, bucketId);
  const row = await deps.database.db
    .select()
    .from(syncs)
    .where(and(eq(syncs.id, syncId), eq(syncs.bucketId, bucketId)))
    .get();
  if (!row) throw new AppError("NOT_FOUND", `Sync ${syncId} does not exist in bucket ${bucketId}`);
  return row;
}

export async function lastRunOf(deps: ReadDeps, syncId: string) {
  return (
    (await deps.database.db
      .select()
      .from(runs)
      .where(eq(runs.syncId, syncId))
      .orderBy(desc(runs.startedAt), desc(runs.id))
      .limit(1)
      .get()) ?? null
  );
}

export async function viewSync(deps: ReadDeps, row: SyncRow): Promise<SyncView> {
  return presentSync(row, await lastRunOf(deps, row.id));
}

/**
 * `remove_created_renditions` deletes Mux's copy once the file is delivered: only where the
 * service keeps its own (STORAGE_DIR, or R2 on Workers), or the pipeline would be left with a
 * stream URL that no longer serves anything.
 */
export const REMOVAL_NEEDS_STORAGE =
  "needs stored copies of the renditions: set STORAGE_DIR (on Workers, bind an R2 bucket as RENDITIONS)";

function requireStorageForRemoval(deps: Pick<Deps, "storage">, removeCreatedRenditions: boolean): void {
  if (!removeCreatedRenditions || deps.storage !== null) return;
  throw new AppError("VALIDATION", `remove_created_renditions: ${REMOVAL_NEEDS_STORAGE}`, {
    details: [{ field: "remove_created_renditions", message: REMOVAL_NEEDS_STORAGE }],
  });
}

async function requireConnection(deps: ReadDeps, connectionId: string): Promise<void> {
  const row = await deps.database.db
    .select({ id: connections.id })
    .from(connections)
    .where(eq(connections.id, connectionId))
    .get();
  if (!row) {
    throw new AppError("VALIDATION", `connection_id: connection ${connectionId} does not exist`, {
      details: [{ field: "connection_id", message: `connection ${connectionId} does not exist` }],
    });
  }
}

export async function createSync(
  deps: WriteDeps,
  { bucketId, sync: input }: { bucketId: string; sync: SyncCreateInput },
): Promise<SyncView> {
  await findBucket(deps, bucketId);
  await requireConnection(deps, input.connection_id);
  requireStorageForRemoval(deps, input.remove_created_renditions ?? false);
  const now = deps.clock.now();
  const id = newId("syn");
  const interval = input.polling_interval_seconds ?? DEFAULT_POLLING_INTERVAL_SECONDS;
  await deps.database.db.insert(syncs).values({
    id,
    bucketId,
    connectionId: input.connection_id,
    sourcePath: input.source_path ?? DEFAULT_SOURCE_PATH,
    syncMode: input.sync_mode ?? DEFAULT_SYNC_MODE,
    pollingIntervalSeconds: interval,
    fileFilters: input.file_filters ?? {},
    renditionPreference: input.rendition_preference ?? null,
    createRenditions: input.create_renditions ?? [],
    removeCreatedRenditions: input.remove_created_renditions ?? false,
    waitFor: input.wait_for ?? [],
    waitForGraceSeconds: input.wait_for_grace_seconds ?? DEFAULT_WAIT_FOR_GRACE_SECONDS,
    status: "active",
    origin: "api",
    // The initial pass is queued just below; the poller takes over one interval later.
    nextRunAt: now + interval * 1000,
    createdAt: now,
    updatedAt: now,
  });
  await schedulePass(deps, id, "initial");
  deps.logger.info("Sync created", { sync_id: id, bucket_id: bucketId });
  return viewSync(deps, await findSync(deps, { bucketId, syncId: id }));
}

export async function listSyncs(deps: ReadDeps, { bucketId }: { bucketId: string }): Promise<SyncView[]> {
  await findBucket(deps, bucketId);
  const rows = await deps.database.db.select().from(syncs).where(eq(syncs.bucketId, bucketId)).all();
  return Promise.all(rows.map((row) => viewSync(deps, row)));
}

export async function getSync(deps: ReadDeps, ref: SyncRef): Promise<SyncView> {
  return viewSync(deps, await findSync(deps, ref));
}

export async function updateSync(
  deps: WriteDeps,
  { patch, ...ref }: SyncRef & { patch: SyncPatchInput },
): Promise<SyncView> {
  const { syncId } = ref;
  const row = await findSync(deps, ref);
  if (patch.connection_id !== undefined) await requireConnection(deps, patch.connection_id);
  const now = deps.clock.now();
  const interval = patch.polling_interval_seconds ?? row.pollingIntervalSeconds;
  const next = {
    connectionId: patch.connection_id ?? row.connectionId,
    sourcePath: patch.source_path ?? row.sourcePath,
    syncMode: patch.sync_mode ?? row.syncMode,
    pollingIntervalSeconds: interval,
    fileFilters: patch.file_filters ?? row.fileFilters,
    renditionPreference:
      patch.rendition_preference === undefined ? row.renditionPreference : patch.rendition_preference,
    createRenditions: patch.create_renditions ?? row.createRenditions,
    removeCreatedRenditions: patch.remove_created_renditions ?? row.removeCreatedRenditions,
    waitFor: patch.wait_for ?? row.waitFor,
    waitForGraceSeconds: patch.wait_for_grace_seconds ?? row.waitForGraceSeconds,
  };
  if (patch.remove_created_renditions !== undefined)
    requireStorageForRemoval(deps, next.removeCreatedRenditions);
  const selectionChanged =
    next.connectionId !== row.connectionId ||
    next.sourcePath !== row.sourcePath ||
    JSON.stringify(next.fileFilters) !== JSON.stringify(row.fileFilters) ||
    JSON.stringify(next.renditionPreference) !== JSON.stringify(row.renditionPreference) ||
    JSON.stringify(next.createRenditions) !== JSON.stringify(row.createRenditions) ||
    JSON.stringify(next.waitFor) !== JSON.stringify(row.waitFor) ||
    next.waitForGraceSeconds !== row.waitForGraceSeconds;
  // A finished initial_only sync switched to continuous starts polling again.
  const status: SyncStatus =
    row.status === "completed" && next.syncMode === "continuous" ? "active" : row.status;
  const nextRunAt = row.nextRunAt === null ? null : Math.min(row.nextRunAt, now + interval * 1000);
  await deps.database.db
    .update(syncs)
    .set({ ...next, status, nextRunAt: status === "active" ? (nextRunAt ?? now) : nextRunAt, updatedAt: now })
    .where(eq(syncs.id, syncId));
  if (selectionChanged && (status === "active" || status === "completed")) {
    // Every object is judged again by the new rules, members included: those that stop matching
    // leave the pipeline's set, newly matching ones join it, changed choices are announced.
    await schedulePass(deps, syncId, "full", { reevaluate: true });
  }
  deps.logger.info("Sync updated", { sync_id: syncId, selection_changed: selectionChanged });
  return getSync(deps, ref);
}

export async function deleteSync(deps: WriteDeps, ref: SyncRef): Promise<void> {
  await findSync(deps, ref);
  await deps.database.atomic(deleteSyncStatements(deps, ref.syncId));
  deps.logger.info("Sync deleted", { sync_id: ref.syncId, bucket_id: ref.bucketId });
}
