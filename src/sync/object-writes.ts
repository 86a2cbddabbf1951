/**
 * Writes one object state change as a single atomic batch: the object row (compare-and-swap on
 * its version), a history row, and, when the change must reach the pipeline, the outbox delivery
 * and its job. A crash can therefore never leave a state change without its delivery, nor a
 * delivery without its state change.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { ObjectMetadata, ObjectState, objects, RenditionRecord } from "../db/schema";
import type { Clock } from "../lib/clock";
import { newId } from "../lib/ids";
import type { JobStore } from "../queue/job-store";

export type ObjectRow = typeof objects.$inferSelect;

export type DeliveryType = "object.ready" | "object.deleted";

export type ObjectChange = {
  bucketId: string;
  syncId: string;
  assetId: string;
  state: ObjectState;
  reason: string | null;
  message: string | null;
  playbackId?: string | null;
  playbackPolicy?: string | null;
  rendition?: RenditionRecord | null;
  metadata?: ObjectMetadata | null;
  discoveredVia: string;
  waitingSince?: number | null;
  /** Announce this change to the pipeline (outbox). */
  deliver?: DeliveryType;
};

export type WriteResult = { written: true; objectId: string; version: number } | { written: false };

export const DELIVER_JOB = "deliver";

export function deliveryId(objectId: string, version: number): string {
  return `${objectId}.v${version}`;
}

export async function writeObjectChange(
  deps: { database: Database; jobs: JobStore; clock: Clock },
  existing: ObjectRow | null,
  change: ObjectChange,
  /** Further statements of the same batch; `won` is true in SQL only if the object write won. */
  alsoRun?: (won: SQL, written: { objectId: string; version: number }) => SQL[],
): Promise<WriteResult> {
  const now = deps.clock.now();
  const token = crypto.randomUUID();
  const objectId = existing?.id ?? newId("obj");
  const version = existing ? existing.version + 1 : 1;
  const won = sql`EXISTS (SELECT 1 FROM objects WHERE id = ${objectId} AND write_token = ${token})`;

  const statements: SQL[] = [
    existing ? updateObject(existing, change, token, now) : insertObject(objectId, change, token, now),
    sql`INSERT INTO object_history (object_id, state, reason, message, at)
        SELECT ${objectId}, ${change.state}, ${change.reason}, ${change.message}, ${now} WHERE ${won}`,
  ];
  if (change.deliver) {
    const id = deliveryId(objectId, version);
    statements.push(
      sql`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, attempts, created_at)
          SELECT ${id}, ${objectId}, ${change.bucketId}, ${change.deliver}, ${version}, 'pending', 0, ${now}
          WHERE ${won}
          ON CONFLICT (id) DO NOTHING`,
      deps.jobs.enqueueStatement(
        { type: DELIVER_JOB, key: id, payload: { deliveryId: id } },
        { onlyIf: won },
      ),
    );
  }
  if (alsoRun) statements.push(...alsoRun(won, { objectId, version }));
  const [result] = await deps.database.atomic(statements);
  return (result?.changes ?? 0) === 1 ? { written: true, objectId, version } : { written: false };
}

function insertObject(objectId: string, change: ObjectChange, token: string, now: number): SQL {
  return sql`
    INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, reason, message, playback_id, playback_policy,
                         rendition, metadata, version, write_token, discovered_via, waiting_since,
                         state_changed_at, created_at, updated_at)
    VALUES (${objectId}, ${change.bucketId}, ${change.syncId}, ${change.assetId}, ${change.state}, ${change.reason},
            ${change.message}, ${change.playbackId ?? null}, ${change.playbackPolicy ?? null},
            ${json(change.rendition)}, ${json(change.metadata)}, 1, ${token}, ${change.discoveredVia},
            ${change.waitingSince ?? null}, ${now}, ${now}, ${now})
    ON CONFLICT (bucket_id, asset_id) DO NOTHING`;
}

function updateObject(existing: ObjectRow, change: ObjectChange, token: string, now: number): SQL {
  // Fields the change does not mention keep their value (`undefined` means "leave it").
  const keep = <T>(value: T | undefined, current: T): T => (value === undefined ? current : value);
  return sql`
    UPDATE objects SET
      sync_id = ${change.syncId}, state = ${change.state}, reason = ${change.reason}, message = ${change.message},
      playback_id = ${keep(change.playbackId, existing.playbackId)},
      playback_policy = ${keep(change.playbackPolicy, existing.playbackPolicy)},
      rendition = ${json(keep(change.rendition, existing.rendition))},
      metadata = ${json(keep(change.metadata, existing.metadata))},
      waiting_since = ${keep(change.waitingSince, existing.waitingSince)},
      version = version + 1, write_token = ${token}, state_changed_at = ${now}, updated_at = ${now}
    WHERE id = ${existing.id} AND version = ${existing.version}`;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
