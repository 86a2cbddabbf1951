/**
 * "Create the MP4 now": for an object skipped `no_static_renditions` whose sync may ask Mux for
 * static renditions (`create_renditions`), the asset is judged again at once rather than at the
 * next full pass, read fresh from Mux, and the request rule (`sync/rendition-requests.ts`) asks
 * for whatever wanted resolution has no file. What the service heard from Mux about earlier
 * requests that made nothing of its own (`rejected`, `existing`, `refused`) is forgotten first, so
 * those are asked again; a rendition the service created keeps its row (it is the service's own,
 * the only kind `remove_created_renditions` deletes), and a file Mux lists as skipped or errored
 * is Mux's answer: it stands until someone deletes the file in Mux. One atomic write.
 */
import { and, eq, inArray } from "drizzle-orm";
import { renditionRequests } from "../db/rendition-requests";
import { syncs } from "../db/schema";
import { ingestJob } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import type { Deps } from "../sync/deps";
import { mayCreateMp4 } from "./object-story";
import { findObject, type ObjectRef } from "./objects";
import type { CreateMp4Result } from "./views";

/** Answers to earlier requests that left no rendition of the service's own: asked again. */
const FORGOTTEN = ["rejected", "existing", "refused"] as const;

export async function createMp4Now(
  deps: Pick<Deps, "database" | "jobs" | "doorbell" | "logger">,
  ref: ObjectRef,
): Promise<CreateMp4Result> {
  const object = await findObject(deps, ref);
  const objectId = object.id;
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync)
    throw new AppError("CONFLICT", `The sync that found object ${objectId} (${object.syncId}) was deleted`);
  if (object.state !== "skipped" || object.reason !== "no_static_renditions")
    throw new AppError("CONFLICT", `Object ${objectId} is not waiting for an MP4 (it is ${object.state})`);
  if (!mayCreateMp4(object, sync))
    throw new AppError(
      "CONFLICT",
      `Sync ${sync.id} has no create_renditions: set it to the resolutions to ask Mux for first`,
    );
  if (sync.status === "paused") throw new AppError("CONFLICT", `Sync ${sync.id} is paused: resume it first`);
  const request = ingestJob.request({ syncId: sync.id, assetId: object.assetId, via: "trigger" });
  const [forgotten] = await deps.database.atomic([
    deps.database.db
      .delete(renditionRequests)
      .where(
        and(
          eq(renditionRequests.connectionId, sync.connectionId),
          eq(renditionRequests.assetId, object.assetId),
          inArray(renditionRequests.resolution, sync.createRenditions),
          inArray(renditionRequests.status, [...FORGOTTEN]),
        ),
      ),
    deps.jobs.enqueueStatement(request),
  ]);
  deps.doorbell.ring();
  deps.logger.info("MP4 creation requested", {
    object_id: objectId,
    asset_id: object.assetId,
    resolutions: sync.createRenditions,
  });
  return {
    object_id: objectId,
    asset_id: object.assetId,
    job_key: request.key,
    resolutions: sync.createRenditions,
    asked_again: forgotten?.changed ?? false,
  };
}
