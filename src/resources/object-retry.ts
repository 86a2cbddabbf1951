/**
 * Retrying a failed object: its ingest job is put back in line with fresh attempts (reviving the
 * dead-lettered one when there is one). The ingest re-reads the asset from Mux and, when it is
 * ready, writes a new version with a new delivery, so a failed delivery is retried with a fresh
 * body and signed URL rather than replaying the stale one.
 */
import { and, eq } from "drizzle-orm";
import { jobs, syncs } from "../db/schema";
import { INGEST_JOB, ingestJobKey } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import { DEFAULT_QUEUE } from "../queue/types";
import type { AppServices } from "../service-graph";
import { findObject } from "./objects";

export type RetryResult = { object_id: string; asset_id: string; job_key: string; revived_dead_job: boolean };

export async function retryObject(
  services: AppServices,
  bucketId: string,
  assetId: string,
): Promise<RetryResult> {
  const object = await findObject(services, bucketId, assetId);
  if (object.state !== "failed") {
    throw new AppError("CONFLICT", `Only failed objects can be retried; asset ${assetId} is ${object.state}`);
  }
  const { db } = services.database;
  const sync = await db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync)
    throw new AppError("CONFLICT", `The sync that found asset ${assetId} (${object.syncId}) was deleted`);
  if (sync.status === "paused") throw new AppError("CONFLICT", `Sync ${sync.id} is paused: resume it first`);
  const key = ingestJobKey(sync.id, assetId);
  const previous = await db
    .select({ status: jobs.status })
    .from(jobs)
    .where(and(eq(jobs.queue, DEFAULT_QUEUE), eq(jobs.idempotencyKey, key)))
    .get();
  // The enqueue upsert revives a dead or finished job with fresh attempts, and leaves a waiting one alone.
  await services.jobs.enqueue({
    type: INGEST_JOB,
    key,
    payload: { syncId: sync.id, assetId, via: "trigger" },
  });
  services.notifyJobs();
  services.logger.info("Object retry requested", {
    asset_id: assetId,
    bucket_id: bucketId,
    reason: object.reason,
  });
  return {
    object_id: object.id,
    asset_id: assetId,
    job_key: key,
    revived_dead_job: previous?.status === "dead",
  };
}
