/**
 * Sync verbs: bind a bucket to a connection with its settings. Creating one queues its initial
 * pass at once; changing what it selects queues a full pass, so objects already seen are judged
 * again by the new rules.
 */
import { and, desc, eq } from "drizzle-orm";
import { connections, runs, type SyncStatus, syncs } from "../db/schema";
import type { SyncCreateInput, SyncPatchInput, SyncView } from "../http/admin/schemas";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { AppServices } from "../service-graph";
import { findBucket } from "./buckets";
import { schedulePass } from "./passes";
import { presentSync } from "./present";
import { deleteSyncStatements } from "./sync-removal";

type SyncRow = typeof syncs.$inferSelect;

export async function findSync(services: AppServices, bucketId: string, syncId: string): Promise<SyncRow> {
  await findBucket(services, bucketId);
  const row = await services.database.db
    .select()
    .from(syncs)
    .where(and(eq(syncs.id, syncId), eq(syncs.bucketId, bucketId)))
    .get();
  if (!row) throw new AppError("NOT_FOUND", `Sync ${syncId} does not exist in bucket ${bucketId}`);
  return row;
}

export async function lastRunOf(services: AppServices, syncId: string) {
  return (
    (await services.database.db
      .select()
      .from(runs)
      .where(eq(runs.syncId, syncId))
      .orderBy(desc(runs.startedAt), desc(runs.id))
      .limit(1)
      .get()) ?? null
  );
}

export async function viewSync(services: AppServices, row: SyncRow): Promise<SyncView> {
  return presentSync(row, await lastRunOf(services, row.id));
}

async function requireConnection(services: AppServices, connectionId: string): Promise<void> {
  const row = await services.database.db
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
  services: AppServices,
  bucketId: string,
  input: SyncCreateInput,
): Promise<SyncView> {
  await findBucket(services, bucketId);
  await requireConnection(services, input.connection_id);
  const now = services.clock.now();
  const id = newId("syn");
  const interval = input.polling_interval_seconds ?? 300;
  await services.database.db.insert(syncs).values({
    id,
    bucketId,
    connectionId: input.connection_id,
    sourcePath: input.source_path ?? "mux://",
    syncMode: input.sync_mode ?? "continuous",
    pollingIntervalSeconds: interval,
    fileFilters: input.file_filters ?? {},
    renditionPreference: input.rendition_preference ?? null,
    status: "active",
    origin: "api",
    // The initial pass is queued just below; the poller takes over one interval later.
    nextRunAt: now + interval * 1000,
    createdAt: now,
    updatedAt: now,
  });
  await schedulePass(services, id, "initial");
  services.logger.info("Sync created", { sync_id: id, bucket_id: bucketId });
  return viewSync(services, await findSync(services, bucketId, id));
}

export async function listSyncs(services: AppServices, bucketId: string): Promise<SyncView[]> {
  await findBucket(services, bucketId);
  const rows = await services.database.db.select().from(syncs).where(eq(syncs.bucketId, bucketId)).all();
  return Promise.all(rows.map((row) => viewSync(services, row)));
}

export async function getSync(services: AppServices, bucketId: string, syncId: string): Promise<SyncView> {
  return viewSync(services, await findSync(services, bucketId, syncId));
}

export async function updateSync(
  services: AppServices,
  bucketId: string,
  syncId: string,
  patch: SyncPatchInput,
): Promise<SyncView> {
  const row = await findSync(services, bucketId, syncId);
  if (patch.connection_id !== undefined) await requireConnection(services, patch.connection_id);
  const now = services.clock.now();
  const interval = patch.polling_interval_seconds ?? row.pollingIntervalSeconds;
  const next = {
    connectionId: patch.connection_id ?? row.connectionId,
    sourcePath: patch.source_path ?? row.sourcePath,
    syncMode: patch.sync_mode ?? row.syncMode,
    pollingIntervalSeconds: interval,
    fileFilters: patch.file_filters ?? row.fileFilters,
    renditionPreference:
      patch.rendition_preference === undefined ? row.renditionPreference : patch.rendition_preference,
  };
  const selectionChanged =
    next.connectionId !== row.connectionId ||
    next.sourcePath !== row.sourcePath ||
    JSON.stringify(next.fileFilters) !== JSON.stringify(row.fileFilters) ||
    JSON.stringify(next.renditionPreference) !== JSON.stringify(row.renditionPreference);
  // A finished initial_only sync switched to continuous starts polling again.
  const status: SyncStatus =
    row.status === "completed" && next.syncMode === "continuous" ? "active" : row.status;
  const nextRunAt = row.nextRunAt === null ? null : Math.min(row.nextRunAt, now + interval * 1000);
  await services.database.db
    .update(syncs)
    .set({ ...next, status, nextRunAt: status === "active" ? (nextRunAt ?? now) : nextRunAt, updatedAt: now })
    .where(eq(syncs.id, syncId));
  if (selectionChanged && (status === "active" || status === "completed")) {
    await schedulePass(services, syncId, "full");
  }
  services.logger.info("Sync updated", { sync_id: syncId, selection_changed: selectionChanged });
  return getSync(services, bucketId, syncId);
}

export async function deleteSync(services: AppServices, bucketId: string, syncId: string): Promise<void> {
  await findSync(services, bucketId, syncId);
  await services.database.atomic(deleteSyncStatements(services.database.db, syncId));
  services.logger.info("Sync deleted", { sync_id: syncId, bucket_id: bucketId });
}
