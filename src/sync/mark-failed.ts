/**
 * When an ingest job is dead-lettered, its object becomes `failed` with the last error, so a
 * person sees it (status, dashboard, API) and can retry it. An asset we never managed to read
 * still gets an object row, or the failure would be invisible.
 */
import { and, eq } from "drizzle-orm";
import { objects, syncs } from "../db/schema";
import type { IngestServices } from "../jobs/ingest";
import { attempts, describeError } from "../lib/errors";
import type { ClaimedJob } from "../queue/types";
import { writeObjectChange } from "./object-writes";

export async function markObjectFailed(
  services: IngestServices,
  job: ClaimedJob,
  error: unknown,
): Promise<void> {
  const { db } = services.database;
  const syncId = String(job.payload.syncId);
  const assetId = String(job.payload.assetId);
  const sync = await db.select().from(syncs).where(eq(syncs.id, syncId)).get();
  if (!sync) return;
  const existing =
    (await db
      .select()
      .from(objects)
      .where(and(eq(objects.bucketId, sync.bucketId), eq(objects.assetId, assetId)))
      .get()) ?? null;
  if (existing && (existing.state === "delivered" || existing.state === "deleted")) return;
  await writeObjectChange(services, existing, {
    bucketId: sync.bucketId,
    syncId,
    assetId,
    state: "failed",
    reason: "ingest_failed",
    message: `Gave up after ${attempts(job.attempt)}: ${describeError(error)}`,
    discoveredVia: existing?.discoveredVia ?? String(job.payload.via ?? "poll"),
  });
}
