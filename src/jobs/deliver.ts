/**
 * The delivery job: POSTs one outbox row to the pipeline, signed per the Standard Webhooks spec.
 * The delivery id (`webhook-id`) is stable across retries, so the pipeline can deduplicate; the
 * body is built at send time so a signed rendition URL is always fresh.
 *
 * 2xx → the delivery and its object are marked delivered in one write. Anything else is retried
 * with backoff by the queue; once the attempts are spent the delivery and the object are
 * `failed`, with the last answer, and can be retried from the API.
 */
import { eq, type SQL, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { buckets, type DeliveryType, deliveries, type ObjectRow, objects, syncs } from "../db/schema";
import { AppError, attempts, describeError } from "../lib/errors";
import { streamUrl } from "../mux/stream";
import { buildPipelinePayload } from "../pipeline/payload";
import type { Deps } from "../sync/deps";
import {
  commitObjectWrite,
  type ObjectWrite,
  planObjectWrite,
  writeObjectChange,
} from "../sync/object-writes";
import { playbackToken } from "../sync/playback-token";
import { defineJob } from "./job-type";

const deliverPayload = z.object({ deliveryId: z.string() });

export const deliverJob = defineJob({
  type: "deliver",
  payload: deliverPayload,
  key: ({ deliveryId }) => deliveryId,
  handle: (deps, { deliveryId }) => deliver(deps, deliveryId),
  onDead: (deps, { deliveryId }, job, error) => recordFailedDelivery(deps, deliveryId, job.attempt, error),
});

/** Stable across retries, distinct per change: the pipeline deduplicates on it. */
export function deliveryId(objectId: string, version: number): string {
  return `${objectId}.v${version}`;
}

/**
 * The outbox: a delivery row announcing the object's new version, and the job that sends it,
 * both only if the object write wins (to run in the same batch as `write`).
 */
export function outboxStatements(
  deps: Pick<Deps, "jobs" | "clock">,
  write: ObjectWrite,
  type: DeliveryType,
): SQL[] {
  const id = deliveryId(write.objectId, write.version);
  return [
    sql`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, attempts, created_at)
        SELECT ${id}, ${write.objectId}, ${write.bucketId}, ${type}, ${write.version}, 'pending', 0, ${deps.clock.now()}
        WHERE ${write.won}
        ON CONFLICT (id) DO NOTHING`,
    deps.jobs.enqueueStatement(deliverJob.request({ deliveryId: id }), { onlyIf: write.won }),
  ];
}

const EXCERPT = 300;

async function deliver(deps: Deps, id: string): Promise<void> {
  const { db } = deps.database;
  const delivery = await db.select().from(deliveries).where(eq(deliveries.id, id)).get();
  if (!delivery || delivery.status === "delivered" || delivery.status === "superseded") return;
  const object = await db.select().from(objects).where(eq(objects.id, delivery.objectId)).get();
  if (!object) return;
  if (object.version !== delivery.objectVersion) {
    // The object moved on (e.g. deleted before its ready was sent): announcing the old state now
    // would tell the pipeline something that is no longer true.
    await db.update(deliveries).set({ status: "superseded" }).where(eq(deliveries.id, id));
    return;
  }
  const bucket = await db.select().from(buckets).where(eq(buckets.id, delivery.bucketId)).get();
  const url = bucket?.pipelineUrl ?? deps.pipeline.defaultUrl;
  if (!url) throw new AppError("CONFIG", "No pipeline URL is configured for this bucket (PIPELINE_URL)");
  if (!deps.pipeline.secret)
    throw new AppError("CONFIG", "PIPELINE_SECRET is not set: deliveries are always signed");
  const signer = new Webhook(deps.pipeline.secret);

  const payload = buildPipelinePayload(delivery.type, object, await signedRenditionUrl(deps, object));
  const body = JSON.stringify(payload);
  const timestamp = new Date(deps.clock.now());
  let status = 0;
  let excerpt = "";
  try {
    const response = await deps.fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "mux-ingest",
        "webhook-id": delivery.id,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": signer.sign(delivery.id, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(deps.pipeline.timeoutMs),
    });
    status = response.status;
    excerpt = (await response.text().catch(() => "")).slice(0, EXCERPT);
  } catch (err) {
    excerpt = describeError(err);
  }

  const now = deps.clock.now();
  if (status >= 200 && status < 300) {
    const markDelivered = sql`UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,
        last_status = ${status}, last_error = NULL, delivered_at = ${now}, payload = ${body} WHERE id = ${delivery.id}`;
    if (delivery.type === "object.ready") {
      const write = planObjectWrite(deps, object, {
        bucketId: object.bucketId,
        syncId: object.syncId,
        assetId: object.assetId,
        state: "delivered",
        reason: null,
        message: `Delivered to the pipeline (HTTP ${status})`,
        discoveredVia: object.discoveredVia,
      });
      const result = await commitObjectWrite(deps, write, [markDelivered]);
      if (!result.written)
        throw new AppError("CONFLICT", "Object changed during delivery", { retryable: true });
    } else {
      await deps.database.atomic([markDelivered]);
    }
    return;
  }

  await db
    .update(deliveries)
    .set({
      attempts: sql`${deliveries.attempts} + 1`,
      lastStatus: status || null,
      lastError: excerpt,
      payload,
    })
    .where(eq(deliveries.id, delivery.id));
  const what = status ? `HTTP ${status}` : "no answer";
  throw new AppError("UPSTREAM", `Pipeline answered ${what}${excerpt ? `: ${excerpt}` : ""}`, {
    retryable: true,
  });
}

/** The rendition URL with a fresh token, for a signed playback id; null when the stored URL serves as is. */
async function signedRenditionUrl(deps: Deps, object: ObjectRow): Promise<string | null> {
  if (object.playbackPolicy !== "signed" || !object.rendition || !object.playbackId) return null;
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync) return null;
  return streamUrl({
    baseUrl: deps.stream.baseUrl,
    playbackId: object.playbackId,
    name: object.rendition.name,
    token: await playbackToken(deps, sync.connectionId, object.playbackId),
  });
}

async function recordFailedDelivery(deps: Deps, id: string, attempt: number, error: unknown): Promise<void> {
  const { db } = deps.database;
  const delivery = await db.select().from(deliveries).where(eq(deliveries.id, id)).get();
  if (!delivery) return;
  await db.update(deliveries).set({ status: "failed" }).where(eq(deliveries.id, id));
  const object = await db.select().from(objects).where(eq(objects.id, delivery.objectId)).get();
  if (!object || object.version !== delivery.objectVersion || delivery.type !== "object.ready") return;
  await writeObjectChange(deps, object, {
    bucketId: object.bucketId,
    syncId: object.syncId,
    assetId: object.assetId,
    state: "failed",
    reason: "delivery_failed",
    message: `Delivery to the pipeline failed after ${attempts(attempt)}: ${describeError(error)}`,
    discoveredVia: object.discoveredVia,
  });
}
