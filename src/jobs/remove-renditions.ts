/**
 * The remove-renditions job (`remove_created_renditions`): once an object's file is stored and
 * delivered, deletes the static renditions this service created for its asset (`DELETE
 * …/static-renditions/{id}`), so the customer is not billed for storage it did not ask for. Only
 * renditions recorded `created` (Mux made them for this service's request, by id) are ever
 * deleted: an "already defined" one, a legacy MP4, or one a person makes later (another id) never.
 *
 * A rendition is shared by every sync over the connection: it is deleted only when each bucket
 * holding the asset over that connection is done with it (its object delivered with a stored
 * file by a sync that removes, or skipped or deleted). A holder still on its way enqueues this
 * job again with its own delivery. Mux then sends `video.asset.static_rendition.deleted`; the
 * ingest job keeps the stored file as the object's rendition (`keepRemovedRendition`), so the
 * pipeline hears nothing of it.
 */
import { and, eq, isNotNull, isNull, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { z } from "zod";
import { renditionRequests } from "../db/rendition-requests";
import { type ObjectRow, objects, syncs } from "../db/schema";
import type { Deps } from "../sync/deps";
import { defineJob } from "./job-type";

const removePayload = z.object({ objectId: z.string() });
type RemoveInput = z.output<typeof removePayload>;

export const removeRenditionsJob = defineJob({
  type: "remove-renditions",
  payload: removePayload,
  key: ({ objectId }) => `remove-renditions:${objectId}`,
  handle: (deps, payload) => removeCreatedRenditions(deps, payload),
});

/**
 * The statement that queues the removal when `object` is written delivered with a stored file
 * (to run in that write's batch, `won` its condition), only if its sync removes what it created
 * and a rendition the service created for the asset is still on Mux. Nothing for a file not stored.
 */
export function removalStatements(
  deps: Pick<Deps, "jobs">,
  object: Pick<ObjectRow, "id" | "syncId" | "assetId" | "rendition">,
  won: SQL,
): SQLWrapper[] {
  if (object.rendition?.path === undefined) return [];
  return [
    deps.jobs.enqueueStatement(removeRenditionsJob.request({ objectId: object.id }), {
      onlyIf: sql`${won} AND EXISTS (
        SELECT 1 FROM syncs s JOIN rendition_requests r ON r.connection_id = s.connection_id
         WHERE s.id = ${object.syncId} AND s.remove_created_renditions = 1 AND r.asset_id = ${object.assetId}
           AND r.status = 'created' AND r.removed_at IS NULL)`,
    }),
  ];
}

async function removeCreatedRenditions(deps: Deps, input: RemoveInput): Promise<void> {
  const { db } = deps.database;
  const object = await db.select().from(objects).where(eq(objects.id, input.objectId)).get();
  if (!object) return;
  const sync = await db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync?.removeCreatedRenditions) return;
  const created = await db
    .select()
    .from(renditionRequests)
    .where(
      and(
        eq(renditionRequests.connectionId, sync.connectionId),
        eq(renditionRequests.assetId, object.assetId),
        eq(renditionRequests.status, "created"),
        isNull(renditionRequests.removedAt),
        isNotNull(renditionRequests.renditionId),
      ),
    )
    .all();
  if (created.length === 0) return;
  const waiting = await holdersStillUsingIt(deps, sync.connectionId, object.assetId);
  if (waiting > 0) {
    deps.logger.info("Created renditions kept: another bucket over the connection still needs them", {
      asset_id: object.assetId,
      holders: waiting,
    });
    return;
  }
  const api = await deps.credentials.api(sync.connectionId);
  for (const request of created) {
    const renditionId = request.renditionId ?? "";
    const answer = await api.deleteStaticRendition(object.assetId, renditionId);
    await db
      .update(renditionRequests)
      .set({
        removedAt: deps.clock.now(),
        message: `${request.message ?? "Created"}; removed (remove_created_renditions)${answer === "gone" ? ": Mux had deleted it already" : ""}`,
      })
      .where(
        and(
          eq(renditionRequests.connectionId, request.connectionId),
          eq(renditionRequests.assetId, request.assetId),
          eq(renditionRequests.resolution, request.resolution),
          isNull(renditionRequests.removedAt),
        ),
      );
    deps.logger.info("Removed a static rendition the service created", {
      asset_id: object.assetId,
      resolution: request.resolution,
      rendition_id: renditionId,
      answer,
    });
  }
}

/**
 * How many objects of the asset, in buckets synced over the connection, may still need Mux's
 * copy: anything but an object delivered with a stored file by a sync that removes, a skipped or
 * a deleted one.
 */
async function holdersStillUsingIt(
  deps: Pick<Deps, "database">,
  connectionId: string,
  assetId: string,
): Promise<number> {
  const holders = await deps.database.db
    .select({ state: objects.state, rendition: objects.rendition, removes: syncs.removeCreatedRenditions })
    .from(syncs)
    .innerJoin(objects, and(eq(objects.bucketId, syncs.bucketId), eq(objects.assetId, assetId)))
    .where(eq(syncs.connectionId, connectionId))
    .all();
  return holders.filter(
    (h) =>
      !(h.state === "skipped" || h.state === "deleted") &&
      !(h.state === "delivered" && h.rendition?.path !== undefined && h.removes),
  ).length;
}
