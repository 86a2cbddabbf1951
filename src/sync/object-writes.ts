/**
 * Writes one object state change as a single atomic batch: the object row (compare-and-swap on
 * its version) and a history row, plus whatever the caller adds to the same batch (the outbox
 * delivery and its job, a download job, a run counter). Every added statement is guarded by
 * `won`, which is true in SQL only if the object write won, so a crash or a lost race can never
 * leave a delivery without its state change, nor a state change without its delivery.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { ObjectMetadata, RenditionRecord, TrackRecord } from "../db/documents";
import type { ObjectReason, ObjectRow, ObjectState, Trigger } from "../db/schema";
import type { Clock } from "../lib/clock";
import { newId } from "../lib/ids";

export type ObjectChange = {
  bucketId: string;
  syncId: string;
  assetId: string;
  state: ObjectState;
  reason: ObjectReason | null;
  message: string | null;
  playbackId?: string | null;
  playbackPolicy?: string | null;
  rendition?: RenditionRecord | null;
  metadata?: ObjectMetadata | null;
  tracks?: TrackRecord[] | null;
  discoveredVia: Trigger;
  waitingSince?: number | null;
  /** The `wait_for` hold (`wait-for.ts`): when it began, and when its grace ran out. */
  waitForSince?: number | null;
  waitForExpiredAt?: number | null;
  /** The view key announced with this change (ready/updated), or null when a departure is. */
  announcedView?: string | null;
  /** The deletion guard holds (a time) or releases (null) a deletion. */
  pendingDeletionAt?: number | null;
  unannouncedDeletionAt?: number | null;
  /** `assetFingerprint` of the reading this change was judged on. */
  sourceFingerprint?: string | null;
  /** The reconciliation pass whose check made the change (kept on its history row). */
  runId?: string | null;
};

/** A change ready to commit: the object's id and version after it, and the statements that write it. */
export type ObjectWrite = {
  objectId: string;
  version: number;
  bucketId: string;
  /** True in SQL, later in the same batch, only if the object write won. */
  won: SQL;
  statements: SQL[];
};

export type WriteResult = { written: true; objectId: string; version: number } | { written: false };

type WriteDeps = { database: Database; clock: Clock };

export function planObjectWrite(
  deps: Pick<WriteDeps, "clock">,
  existing: ObjectRow | null,
  change: ObjectChange,
  /** Write an existing object only if this SQL also holds (e.g. the deletion guard allows it). */
  onlyIf?: SQL,
): ObjectWrite {
  const now = deps.clock.now();
  const token = crypto.randomUUID();
  const objectId = existing?.id ?? newId("obj");
  const won = sql`EXISTS (SELECT 1 FROM objects WHERE id = ${objectId} AND write_token = ${token})`;
  return {
    objectId,
    version: existing ? existing.version + 1 : 1,
    bucketId: change.bucketId,
    won,
    statements: [
      existing
        ? updateObject(existing, change, token, now, onlyIf)
        : insertObject(objectId, change, token, now),
      sql`INSERT INTO object_history (object_id, state, reason, message, run_id, at)
          SELECT ${objectId}, ${change.state}, ${change.reason}, ${change.message}, ${change.runId ?? null}, ${now}
          WHERE ${won}`,
    ],
  };
}

/** Runs the write with `alongside` (each guarded by `write.won`) in one atomic batch. */
export async function commitObjectWrite(
  deps: Pick<WriteDeps, "database">,
  write: ObjectWrite,
  alongside: readonly SQLWrapper[] = [],
): Promise<WriteResult> {
  const [result] = await deps.database.atomic([...write.statements, ...alongside]);
  return result?.changed
    ? { written: true, objectId: write.objectId, version: write.version }
    : { written: false };
}

/** A change with nothing alongside it. */
export function writeObjectChange(
  deps: WriteDeps,
  existing: ObjectRow | null,
  change: ObjectChange,
): Promise<WriteResult> {
  return commitObjectWrite(deps, planObjectWrite(deps, existing, change));
}

function insertObject(objectId: string, change: ObjectChange, token: string, now: number): SQL {
  return sql`
    INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, reason, message, playback_id, playback_policy,
                         rendition, metadata, tracks, version, write_token, discovered_via, waiting_since,
                         wait_for_since, wait_for_expired_at, announced_view, source_fingerprint, state_changed_at,
                         created_at, updated_at)
    VALUES (${objectId}, ${change.bucketId}, ${change.syncId}, ${change.assetId}, ${change.state}, ${change.reason},
            ${change.message}, ${change.playbackId ?? null}, ${change.playbackPolicy ?? null},
            ${json(change.rendition)}, ${json(change.metadata)}, ${json(change.tracks)}, 1, ${token},
            ${change.discoveredVia}, ${change.waitingSince ?? null}, ${change.waitForSince ?? null},
            ${change.waitForExpiredAt ?? null}, ${change.announcedView ?? null}, ${change.sourceFingerprint ?? null},
            ${now}, ${now}, ${now})
    ON CONFLICT (bucket_id, asset_id) DO NOTHING`;
}

function updateObject(
  existing: ObjectRow,
  change: ObjectChange,
  token: string,
  now: number,
  onlyIf?: SQL,
): SQL {
  // Fields the change does not mention keep their value (`undefined` means "leave it").
  const keep = <T>(value: T | undefined, current: T): T => (value === undefined ? current : value);
  return sql`
    UPDATE objects SET
      sync_id = ${change.syncId}, state = ${change.state}, reason = ${change.reason}, message = ${change.message},
      playback_id = ${keep(change.playbackId, existing.playbackId)},
      playback_policy = ${keep(change.playbackPolicy, existing.playbackPolicy)},
      rendition = ${json(keep(change.rendition, existing.rendition))},
      metadata = ${json(keep(change.metadata, existing.metadata))},
      tracks = ${json(keep(change.tracks, existing.tracks))},
      waiting_since = ${keep(change.waitingSince, existing.waitingSince)},
      wait_for_since = ${keep(change.waitForSince, existing.waitForSince)},
      wait_for_expired_at = ${keep(change.waitForExpiredAt, existing.waitForExpiredAt)},
      announced_view = ${keep(change.announcedView, existing.announcedView)},
      pending_deletion_at = ${keep(change.pendingDeletionAt, existing.pendingDeletionAt)},
      unannounced_deletion_at = ${keep(change.unannouncedDeletionAt, existing.unannouncedDeletionAt)},
      source_fingerprint = ${keep(change.sourceFingerprint, existing.sourceFingerprint)},
      version = version + 1, write_token = ${token}, updated_at = ${now},
      state_changed_at = CASE WHEN state = ${change.state} THEN state_changed_at ELSE ${now} END
    WHERE id = ${existing.id} AND version = ${existing.version} AND ${onlyIf ?? sql`1`}`;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
