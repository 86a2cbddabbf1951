/**
 * The deletion guard. A deletion Mux announced (`video.asset.deleted`) is applied at once; one it
 * did not (a 404 found by a sweep or a re-check) is counted. When a sync's unannounced deletions
 * over a rolling hour would exceed `DELETION_GUARD_PERCENT` of its members (and at least five
 * objects), something other than people deleting videos is at work (a token of another
 * environment, a Mux incident): the deletions are held (`pending_deletion_at`, state unchanged),
 * the sync is suspended (`deletion_guard`), and a person confirms them or resumes without them.
 */
import { and, count, eq, gt, inArray, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import { objects, syncs, webhookEvents } from "../db/schema";
import type { Deps } from "./deps";

export const DEFAULT_DELETION_GUARD_PERCENT = 10;
/** Below this many, unannounced deletions never trip the guard (a small library loses a few videos). */
export const DELETION_GUARD_MINIMUM = 5;
const WINDOW_MS = 3600_000;

type GuardDeps = Pick<Deps, "database" | "clock" | "logger" | "ingest">;
type SyncRow = typeof syncs.$inferSelect;

/** Whether Mux announced this asset's deletion to this connection (the webhook may precede the job). */
export async function deletionAnnounced(
  deps: Pick<Deps, "database">,
  connectionId: string,
  assetId: string,
): Promise<boolean> {
  const row = await deps.database.db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.assetId, assetId),
        eq(webhookEvents.type, "video.asset.deleted"),
        eq(webhookEvents.connectionId, connectionId),
      ),
    )
    .limit(1)
    .get();
  return row !== undefined;
}

/**
 * The sync's objects that count against the guard: deletions Mux did not announce within the
 * last hour, and the ones held.
 */
function countedAgainstGuard(deps: Pick<Deps, "clock">, syncId: string): SQL | undefined {
  const since = deps.clock.now() - WINDOW_MS;
  return and(
    eq(objects.syncId, syncId),
    or(gt(objects.unannouncedDeletionAt, since), isNotNull(objects.pendingDeletionAt)),
  );
}

/**
 * SQL that is true while one more unannounced deletion is allowed, to guard the deletion's own
 * write: counted in the same statement, concurrent deletions cannot all slip under the limit.
 */
export function deletionAllowed(deps: Pick<Deps, "clock" | "ingest">, syncId: string): SQL {
  const recent = sql`(SELECT COUNT(*) FROM ${objects} WHERE ${countedAgainstGuard(deps, syncId)})`;
  // The membership before this wave of deletions: those still in, plus those it already took.
  const members = sql`(SELECT COUNT(*) FROM ${objects}
                        WHERE ${and(eq(objects.syncId, syncId), inArray(objects.state, ["ready", "delivered"]))})`;
  return sql`(${recent} + 1 < ${DELETION_GUARD_MINIMUM}
              OR (${recent} + 1) * 100 <= ${deps.ingest.deletionGuardPercent} * (${members} + ${recent}))`;
}

/** The guard refused a deletion: the object is held, and the sync is suspended for a person. */
export async function holdDeletion(deps: GuardDeps, sync: SyncRow, objectId: string): Promise<void> {
  await deps.database.db
    .update(objects)
    .set({ pendingDeletionAt: deps.clock.now() })
    .where(and(eq(objects.id, objectId), isNull(objects.pendingDeletionAt)));
  if (sync.suspension === "deletion_guard") return;
  const [recent] = await deps.database.db
    .select({ n: count() })
    .from(objects)
    .where(countedAgainstGuard(deps, sync.id));
  await suspendForDeletions(deps, sync, recent?.n ?? 1);
}

async function suspendForDeletions(deps: GuardDeps, sync: SyncRow, missing: number) {
  const message =
    `${missing} assets went missing in Mux within an hour without a deletion webhook (the guard allows ` +
    `${deps.ingest.deletionGuardPercent} % of the sync's members, and at least ${DELETION_GUARD_MINIMUM}): ` +
    `those not yet deleted are held. Confirm with POST /v1/buckets/${sync.bucketId}/syncs/${sync.id}/confirm-deletions, ` +
    "or resume the sync to keep them.";
  await deps.database.db
    .update(syncs)
    .set({
      status: "suspended",
      suspension: "deletion_guard",
      statusReason: message,
      updatedAt: deps.clock.now(),
    })
    .where(and(eq(syncs.id, sync.id), inArray(syncs.status, ["active", "completed"])));
  deps.logger.error("Deletion guard tripped; sync suspended", {
    sync_id: sync.id,
    missing,
    percent: deps.ingest.deletionGuardPercent,
  });
}

/** Releases every held deletion of a sync (a person resumed it without deleting). */
export function releaseHeldDeletions(deps: Pick<Deps, "database">, syncId: string) {
  return deps.database.db
    .update(objects)
    .set({ pendingDeletionAt: null })
    .where(and(eq(objects.syncId, syncId), isNotNull(objects.pendingDeletionAt)))
    .getSQL();
}

/** A page of the asset ids of a sync's held deletions, in id order after `afterId`. */
export async function heldDeletions(
  deps: Pick<Deps, "database">,
  syncId: string,
  page: { afterId: string; limit: number },
): Promise<Array<{ id: string; assetId: string }>> {
  return deps.database.db
    .select({ id: objects.id, assetId: objects.assetId })
    .from(objects)
    .where(
      and(eq(objects.syncId, syncId), isNotNull(objects.pendingDeletionAt), gt(objects.id, page.afterId)),
    )
    .orderBy(objects.id)
    .limit(page.limit)
    .all();
}
