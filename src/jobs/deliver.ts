/**
 * The delivery job: POSTs one outbox row to the pipeline, signed per the Standard Webhooks spec.
 * The delivery id (`webhook-id`) is stable across retries, so the pipeline can deduplicate; the
 * body is built at send time so a signed rendition URL is always fresh.
 *
 * 2xx → the delivery and its object are marked delivered in one write. Anything else is retried
 * with backoff by the queue; once the attempts are spent the delivery and the object are
 * `failed`, with the last answer, and can be retried from the API.
 */
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { buckets, deliveries, objects } from "../db/schema";
import { AppError, attempts, describeError } from "../lib/errors";
import { buildPipelinePayload } from "../pipeline/payload";
import type { ClaimedJob, JobRegistry } from "../queue/types";
import { DELIVER_JOB, writeObjectChange } from "../sync/object-writes";
import type { IngestServices } from "./ingest";

const TIMEOUT_MS = 15_000;
const EXCERPT = 300;

export function createDeliveryJob(services: IngestServices, secret: string | null): JobRegistry {
  const signer = secret ? new Webhook(secret) : null;
  return {
    [DELIVER_JOB]: {
      handle: (job) => deliver(services, signer, job),
      onDead: (job, error) => recordFailedDelivery(services, job, error),
    },
  };
}

async function deliver(services: IngestServices, signer: Webhook | null, job: ClaimedJob): Promise<void> {
  const { db } = services.database;
  const deliveryId = String(job.payload.deliveryId);
  const delivery = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId)).get();
  if (!delivery || delivery.status === "delivered" || delivery.status === "superseded") return;
  const object = await db.select().from(objects).where(eq(objects.id, delivery.objectId)).get();
  if (!object) return;
  if (object.version !== delivery.objectVersion) {
    // The object moved on (e.g. deleted before its ready was sent): announcing the old state now
    // would tell the pipeline something that is no longer true.
    await db.update(deliveries).set({ status: "superseded" }).where(eq(deliveries.id, deliveryId));
    return;
  }
  const bucket = await db.select().from(buckets).where(eq(buckets.id, delivery.bucketId)).get();
  const url = bucket?.pipelineUrl ?? services.defaultPipelineUrl;
  if (!url) throw new AppError("CONFIG", "No pipeline URL is configured for this bucket (PIPELINE_URL)");
  if (!signer) throw new AppError("CONFIG", "PIPELINE_SECRET is not set: deliveries are always signed");

  const payload = buildPipelinePayload(delivery.type, object, await signedRenditionUrl(services, object));
  const body = JSON.stringify(payload);
  const timestamp = new Date(services.clock.now());
  let status = 0;
  let excerpt = "";
  try {
    const response = await (services.fetch ?? fetch)(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "mux-ingest",
        "webhook-id": delivery.id,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": signer.sign(delivery.id, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    excerpt = (await response.text().catch(() => "")).slice(0, EXCERPT);
  } catch (err) {
    excerpt = describeError(err);
  }

  const now = services.clock.now();
  if (status >= 200 && status < 300) {
    const markDelivered = sql`UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,
        last_status = ${status}, last_error = NULL, delivered_at = ${now}, payload = ${body} WHERE id = ${delivery.id}`;
    if (delivery.type === "object.ready") {
      const result = await writeObjectChange(
        services,
        object,
        {
          bucketId: object.bucketId,
          syncId: object.syncId,
          assetId: object.assetId,
          state: "delivered",
          reason: null,
          message: `Delivered to the pipeline (HTTP ${status})`,
          discoveredVia: object.discoveredVia,
        },
        () => [markDelivered],
      );
      if (!result.written)
        throw new AppError("CONFLICT", "Object changed during delivery", { retryable: true });
    } else {
      await services.database.atomic([markDelivered]);
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

async function signedRenditionUrl(
  services: IngestServices,
  object: typeof objects.$inferSelect,
): Promise<string | null> {
  if (object.playbackPolicy !== "signed" || !object.rendition || !object.playbackId) return null;
  const sync = await services.database.db.query.syncs.findFirst({
    where: (s, { eq: is }) => is(s.id, object.syncId),
  });
  if (!sync) return null;
  const api = await services.credentials.api(sync.connectionId);
  const token = await api.signPlaybackId(object.playbackId, services.signedUrlTtlSeconds ?? 6 * 3600);
  return `${object.rendition.url}?token=${token}`;
}

async function recordFailedDelivery(
  services: IngestServices,
  job: ClaimedJob,
  error: unknown,
): Promise<void> {
  const { db } = services.database;
  const deliveryId = String(job.payload.deliveryId);
  const delivery = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId)).get();
  if (!delivery) return;
  await db.update(deliveries).set({ status: "failed" }).where(eq(deliveries.id, deliveryId));
  const object = await db.select().from(objects).where(eq(objects.id, delivery.objectId)).get();
  if (!object || object.version !== delivery.objectVersion || delivery.type !== "object.ready") return;
  await writeObjectChange(services, object, {
    bucketId: object.bucketId,
    syncId: object.syncId,
    assetId: object.assetId,
    state: "failed",
    reason: "delivery_failed",
    message: `Delivery to the pipeline failed after ${attempts(job.attempt)}: ${describeError(error)}`,
    discoveredVia: object.discoveredVia,
  });
}
