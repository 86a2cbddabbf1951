/**
 * Retrying a failed object: its ingest job is put back in line with fresh attempts (reviving the
 * dead-lettered one when there is one). The ingest re-reads the asset from Mux and, when it is
 * ready, writes a new version with a new delivery, so a failed delivery is retried with a fresh
 * body and signed URL rather than replaying the stale one.
 */
import { eq } from "drizzle-orm";
import { syncs } from "../db/schema";
import { ingestJob } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import type { Deps } from "../sync/deps";
import { findObject, type ObjectRef } from "./objects";
import type { RetryResult } from "./views";

export async function retryObject(
  deps: Pick<Deps, "database" | "jobs" | "doorbell" | "logger">,
  ref: ObjectRef,
): Promise<RetryResult> {
  const { object, request, previous } = await planObjectRetry(deps, ref);
  // The enqueue upsert revives a dead or finished job with fresh attempts, and leaves a waiting one alone.
  await deps.jobs.enqueue(request);
  deps.doorbell.ring();
  deps.logger.info("Object retry requested", {
    asset_id: ref.assetId,
    bucket_id: ref.bucketId,
    reason: object.reason,
  });
  return {
    object_id: object.id,
    asset_id: ref.assetId,
    job_key: request.key,
    revived_dead_job: previous === "dead",
  };
}

/**
 * Whether a retry applies (the object failed, its sync exists and is not paused), and the ingest
 * request that is the retry, for callers that enqueue it inside their own atomic write.
 */
export async function planObjectRetry(deps: Pick<Deps, "database" | "jobs">, ref: ObjectRef) {
  const { assetId } = ref;
  const object = await findObject(deps, ref);
  if (object.state !== "failed") {
    throw new AppError("CONFLICT", `Only failed objects can be retried; asset ${assetId} is ${object.state}`);
  }
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync)
    throw new AppError("CONFLICT", `The sync that found asset ${assetId} (${object.syncId}) was deleted`);
  if (sync.status === "paused") throw new AppError("CONFLICT", `Sync ${sync.id} is paused: resume it first`);
  const request = ingestJob.request({ syncId: sync.id, assetId, via: "trigger" });
  return { object, request, previous: await deps.jobs.statusOf(request.key) };
}
