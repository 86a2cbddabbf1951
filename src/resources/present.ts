/**
 * Database rows → API resources. Secrets never pass through here in clear: a connection is shown
 * from its stored masks (`secret_hints`), so a listing never decrypts anything.
 */
import type { connections, deliveries, objects, runs, syncs } from "../db/schema";
import { maskHint } from "../lib/secret-box";
import type { JobRecord } from "../queue/types";
import type { ConnectionView, DeliveryView, JobView, ObjectView, RunView, SyncView } from "./views";

export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function presentConnection(row: typeof connections.$inferSelect, syncIds: string[]): ConnectionView {
  const hints = row.secretHints ?? {};
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    access_token_id: row.accessTokenId,
    access_token_secret: maskHint(hints.access_token_secret),
    webhook_secrets: (hints.webhook_secrets ?? []).map((hint) => maskHint(hint) ?? "****"),
    signing_key_id: row.signingKeyId,
    signing_private_key: row.signingPrivateKey ? (maskHint(hints.signing_private_key) ?? "****") : null,
    origin: row.origin,
    environment: row.environmentId ? { id: row.environmentId, name: row.environmentName } : null,
    last_test:
      row.lastTestAt === null
        ? null
        : { success: row.lastTestSuccess, message: row.lastTestMessage, at: isoTime(row.lastTestAt) },
    sync_ids: syncIds,
    created_at: isoTime(row.createdAt),
    updated_at: isoTime(row.updatedAt),
  };
}

export function presentRun(row: typeof runs.$inferSelect): RunView {
  return {
    id: row.id,
    sync_id: row.syncId,
    kind: row.kind,
    status: row.status,
    started_at: isoTime(row.startedAt),
    finished_at: isoTime(row.finishedAt),
    pages: row.pages,
    api_calls: row.apiCalls,
    assets_seen: row.assetsSeen,
    enqueued: row.enqueued,
    repaired: row.repaired,
    rechecked: row.rechecked,
    errors: row.errors,
    order_violation: row.orderViolation,
    message: row.message,
  };
}

export function presentSync(
  row: typeof syncs.$inferSelect,
  lastRun: typeof runs.$inferSelect | null,
): SyncView {
  return {
    id: row.id,
    bucket_id: row.bucketId,
    connection_id: row.connectionId,
    source_path: row.sourcePath,
    sync_mode: row.syncMode,
    polling_interval_seconds: row.pollingIntervalSeconds,
    file_filters: row.fileFilters ?? {},
    rendition_preference: row.renditionPreference ?? null,
    create_renditions: row.createRenditions,
    remove_created_renditions: row.removeCreatedRenditions,
    wait_for: row.waitFor,
    wait_for_grace_seconds: row.waitForGraceSeconds,
    status: row.status,
    suspension: row.suspension,
    status_reason: row.statusReason,
    origin: row.origin,
    next_run_at: isoTime(row.nextRunAt),
    last_run: lastRun ? presentRun(lastRun) : null,
    created_at: isoTime(row.createdAt),
    updated_at: isoTime(row.updatedAt),
  };
}

export function presentObject(row: typeof objects.$inferSelect): ObjectView {
  return {
    id: row.id,
    bucket_id: row.bucketId,
    sync_id: row.syncId,
    asset_id: row.assetId,
    state: row.state,
    reason: row.reason,
    message: row.message,
    playback_id: row.playbackId,
    playback_policy: row.playbackPolicy,
    rendition: row.rendition ?? null,
    metadata: row.metadata ?? null,
    tracks: row.tracks ?? [],
    wait_for_since: isoTime(row.waitForSince),
    wait_for_expired_at: isoTime(row.waitForExpiredAt),
    version: row.version,
    discovered_via: row.discoveredVia,
    pending_deletion_at: isoTime(row.pendingDeletionAt),
    state_changed_at: isoTime(row.stateChangedAt),
    created_at: isoTime(row.createdAt),
    updated_at: isoTime(row.updatedAt),
  };
}

export function presentJob(row: JobRecord): JobView {
  return {
    id: row.id,
    type: row.type,
    key: row.key,
    status: row.status,
    attempts: row.attempts,
    max_attempts: row.maxAttempts,
    available_at: isoTime(row.availableAt),
    last_error: row.lastError,
    // A listing snapshot rides in ingest payloads; it is Mux's data, large, and not what a person needs.
    payload: Object.fromEntries(Object.entries(row.payload).filter(([key]) => key !== "snapshot")),
    created_at: isoTime(row.createdAt),
    updated_at: isoTime(row.updatedAt),
    finished_at: isoTime(row.finishedAt),
  };
}

export function presentDelivery(row: typeof deliveries.$inferSelect): DeliveryView {
  return {
    id: row.id,
    type: row.type,
    reason: row.reason,
    object_version: row.objectVersion,
    status: row.status,
    attempts: row.attempts,
    last_status: row.lastStatus,
    last_error: row.lastError,
    created_at: isoTime(row.createdAt),
    delivered_at: isoTime(row.deliveredAt),
  };
}
