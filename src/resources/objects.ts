/**
 * Reading objects: the change feed of a bucket (each object once, at the position of its latest
 * change, oldest change first, paged by `objects.feed_seq`) and one object's full story (state history, rendition, deliveries,
 * the static renditions asked of Mux for it, and the jobs working on it, dead-lettered ones included).
 */
import { and, asc, desc, eq, gt, type SQL, sql } from "drizzle-orm";
import { deliveries, objectHistory, objects, syncs } from "../db/schema";
import { createRenditionShape, requestsOf } from "../jobs/create-rendition-request";
import { deliverKey } from "../jobs/deliver";
import { ingestKey } from "../jobs/ingest";
import { removeRenditionsJob } from "../jobs/remove-renditions";
import { AppError } from "../lib/errors";
import type { StaticRenditionResolution } from "../mux/rendition-names";
import type { Deps } from "../sync/deps";
import { findBucket } from "./buckets";
import { decodeFeedCursor, encodeFeedCursor } from "./feed-cursor";
import { isoTime, presentDelivery, presentJob, presentObject } from "./present";
import type { ObjectDetailView, ObjectListQuery, ObjectPage } from "./views";

export type ObjectRef = { bucketId: string; assetId: string };

export async function listObjects(
  deps: Pick<Deps, "database">,
  { bucketId, query }: { bucketId: string; query: ObjectListQuery },
): Promise<ObjectPage> {
  await findBucket(deps, bucketId);
  const after = decodeFeedCursor(query.cursor);
  // One index range per page (`objects_feed_seq_idx`, or the state or reason one when filtered):
  // `feed_seq` is the object's latest history id, so each object appears once, at its latest change.
  const conditions: SQL[] = [eq(objects.bucketId, bucketId), gt(objects.feedSeq, after)];
  if (query.state) conditions.push(eq(objects.state, query.state));
  if (query.reason) conditions.push(sql`${objects.reason} = ${query.reason}`);
  const found = await deps.database.db
    .select()
    .from(objects)
    .where(and(...conditions))
    .orderBy(asc(objects.feedSeq))
    .limit(query.limit + 1)
    .all();
  const rows = found.map((object) => ({ seq: object.feedSeq ?? after, object }));
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((row) => presentObject(row.object)),
    // At the end of the feed the cursor stays where it is, so a poller resumes from there.
    next_cursor: last ? encodeFeedCursor(last.seq) : (query.cursor ?? encodeFeedCursor(after)),
    has_more: rows.length > query.limit,
  };
}

export async function findObject(deps: Pick<Deps, "database">, { bucketId, assetId }: ObjectRef) {
  await findBucket(deps, bucketId);
  const row = await deps.database.db
    .select()
    .from(objects)
    .where(and(eq(objects.bucketId, bucketId), eq(objects.assetId, assetId)))
    .get();
  if (!row) throw new AppError("NOT_FOUND", `No object for asset ${assetId} in bucket ${bucketId}`);
  return row;
}

/** How many deliveries the detail shows (the newest); older ones are history nobody acts on. */
const DELIVERIES_SHOWN = 50;

export async function getObject(
  deps: Pick<Deps, "database" | "jobs">,
  ref: ObjectRef,
): Promise<ObjectDetailView> {
  const row = await findObject(deps, ref);
  const { db } = deps.database;
  const history = await db
    .select()
    .from(objectHistory)
    .where(eq(objectHistory.objectId, row.id))
    .orderBy(asc(objectHistory.id))
    .all();
  const deliveryRows = await db
    .select()
    .from(deliveries)
    .where(eq(deliveries.objectId, row.id))
    .orderBy(desc(deliveries.objectVersion))
    .limit(DELIVERIES_SHOWN)
    .all();
  const sync = await db
    .select({ connectionId: syncs.connectionId })
    .from(syncs)
    .where(eq(syncs.id, row.syncId))
    .get();
  const requests = sync ? await requestsOf(deps, sync.connectionId, row.assetId) : [];
  const jobRows = await deps.jobs.findByKeys([
    ingestKey(row.syncId, row.assetId),
    deliverKey(row.id),
    ...requests.map((r) =>
      createRenditionShape.key({ ...r, resolution: r.resolution as StaticRenditionResolution }),
    ),
    removeRenditionsJob.key({ objectId: row.id }),
  ]);
  return {
    ...presentObject(row),
    history: history.map((h) => ({
      state: h.state,
      reason: h.reason,
      message: h.message,
      at: isoTime(h.at),
    })),
    rendition_requests: requests.map((r) => ({
      resolution: r.resolution,
      status: r.status,
      message: r.message,
      requested_at: isoTime(r.requestedAt),
      answered_at: isoTime(r.answeredAt),
      removed_at: isoTime(r.removedAt),
    })),
    deliveries: deliveryRows.map(presentDelivery),
    jobs: jobRows.map(presentJob),
  };
}
