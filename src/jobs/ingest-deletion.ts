/**
 * Mux answered 404 for an asset the bucket has. That is a deletion only when it is safe to say
 * so: the token was checked to reach this library's environment before the read (`ingest.ts`),
 * and a deletion Mux did not announce passes the deletion guard. An object the pipeline has, or
 * may have been sent, gets its `object.deleted`.
 */
import type { ObjectRow, syncs } from "../db/schema";
import { deletionAllowed, deletionAnnounced, holdDeletion } from "../sync/deletion-guard";
import type { Deps } from "../sync/deps";
import { decideChange, type TransitionContext } from "../sync/object-transitions";
import { rowView } from "../sync/pipeline-view";
import { applyPlan, type ChangeOrigin, type IngestOutcome } from "./ingest-apply";

type SyncRow = typeof syncs.$inferSelect;

export async function recordNotFound(
  deps: Deps,
  sync: SyncRow,
  existing: ObjectRow | null,
  origin: ChangeOrigin & { deletionConfirmed?: boolean },
  context: TransitionContext,
): Promise<IngestOutcome> {
  if (!existing) return { kind: "ignored", why: "the asset does not exist in Mux" };
  const purge = () => deps.storage?.deleteObjectFiles(sync.bucketId, existing.assetId);
  if (existing.state === "deleted") {
    // Purging is idempotent: a job retried after a crash between the write and the purge ends it.
    await purge();
    return { kind: "unchanged", state: existing.state };
  }
  const announced =
    origin.deletionConfirmed === true || (await deletionAnnounced(deps, sync.connectionId, existing.assetId));
  if (!announced && sync.suspension === "deletion_guard") return hold(deps, sync, existing);
  const plan = decideChange(
    existing,
    { qualifies: false, state: "deleted", reason: "deleted_in_mux", view: rowView(existing) },
    context,
  );
  if (!plan.write) return { kind: "unchanged", state: existing.state };
  const outcome = await applyPlan(
    deps,
    existing,
    {
      bucketId: sync.bucketId,
      syncId: sync.id,
      assetId: existing.assetId,
      state: "deleted",
      reason: "deleted_in_mux",
      message: announced
        ? "The asset was deleted in Mux"
        : "The asset is gone from Mux (404, no deletion webhook)",
      discoveredVia: origin.via,
      pendingDeletionAt: null,
      ...(announced ? {} : { unannouncedDeletionAt: deps.clock.now() }),
    },
    plan,
    origin,
    // Counted in the deletion's own write, so concurrent deletions cannot all slip under the limit.
    announced ? {} : { onlyIf: deletionAllowed(deps, sync.id) },
  );
  if (outcome.kind === "refused") return hold(deps, sync, existing);
  await purge();
  return outcome;
}

async function hold(deps: Deps, sync: SyncRow, existing: ObjectRow): Promise<IngestOutcome> {
  await holdDeletion(deps, sync, existing.id);
  return { kind: "ignored", why: "held by the deletion guard" };
}
