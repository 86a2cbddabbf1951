/**
 * The static renditions the service asked Mux for (`create_renditions`): one row per connection,
 * asset and resolution, so each is asked for once per Mux environment whatever retries, restarts,
 * duplicate events or syncs over the same connection do. The row is inserted (`ON CONFLICT DO
 * NOTHING`) in the same atomic batch as the object write that asks, and the create job is queued
 * only if that insert won. It also remembers which renditions are the service's own (`created`,
 * with Mux's id): the only ones `remove_created_renditions` ever deletes.
 *
 * Written by `src/jobs/create-rendition.ts` (the request and Mux's answer) and
 * `src/jobs/remove-renditions.ts` (the removal).
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * - `requested`: asked, the create job is queued or running, Mux has not answered yet;
 * - `created`: Mux made it for this request (201): the service's own, `rendition_id` set;
 * - `existing`: Mux answered that the resolution is already defined: someone else's, never deleted;
 * - `refused`: Mux answered 403 (a read-only token): asked again once the connection can write;
 * - `rejected`: Mux refused it for another reason (its message is kept): not asked again.
 */
export const RENDITION_REQUEST_STATUSES = [
  "requested",
  "created",
  "existing",
  "refused",
  "rejected",
] as const;
export type RenditionRequestStatus = (typeof RENDITION_REQUEST_STATUSES)[number];

export const renditionRequests = sqliteTable(
  "rendition_requests",
  {
    connectionId: text("connection_id").notNull(),
    assetId: text("asset_id").notNull(),
    /** A Static Renditions API resolution (`highest`, `audio-only`, `720p` …). */
    resolution: text("resolution").notNull(),
    status: text("status").$type<RenditionRequestStatus>().notNull(),
    /**
     * Random per request (and per request again after a 403): later statements of the same batch
     * check it to know the insert won, and it rides to Mux in the rendition's `passthrough`, so a
     * retry answered "already defined" can tell its own rendition from someone else's.
     */
    token: text("token").notNull(),
    /** Mux's id of the rendition this request created (status `created`): what removal deletes. */
    renditionId: text("rendition_id"),
    /** What Mux answered, for a person. */
    message: text("message"),
    requestedAt: integer("requested_at").notNull(),
    answeredAt: integer("answered_at"),
    /** When the service deleted the rendition it created (`remove_created_renditions`). */
    removedAt: integer("removed_at"),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.assetId, t.resolution] })],
);

export type RenditionRequestRow = typeof renditionRequests.$inferSelect;
