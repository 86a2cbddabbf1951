/**
 * The delivery job: one per object, so an object's deliveries go out one at a time and in
 * version order. Each run sends the object's newest delivery, signed per the Standard Webhooks
 * spec; older ones it has not sent are superseded by it (coalesced: the pipeline gets the latest
 * state once). The delivery id (`webhook-id`) is stable across retries, so the pipeline can
 * deduplicate; the body is built at send time so a signed playback id's URLs (rendition, text
 * tracks, images) always carry fresh tokens.
 *
 * Every attempt is counted on the delivery row with its answer; the count's trigger records it in
 * `delivery_attempts` (src/db/delivery-attempts.ts) for the object's story.
 *
 * 2xx → the delivery is delivered, whatever happened to the object meanwhile (it was sent), and
 * the object becomes `delivered` only if that was its latest version. Anything else is retried
 * with backoff; once the attempts are spent the delivery is `failed` and can be sent again.
 */
import { and, desc, eq, inArray, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { z } from "zod";
import {
  buckets,
  type DeliveryType,
  deliveries,
  type LeaveReason,
  type ObjectRow,
  objects,
  syncs,
} from "../db/schema";
import { discardBody, readBoundedText } from "../lib/bounded-body";
import { AppError, attempts, describeError } from "../lib/errors";
import { buildPipelinePayload, type PlaybackTokens } from "../pipeline/payload";
import { assertPipelineUrl } from "../pipeline/pipeline-url";
import type { Deps } from "../sync/deps";
import { type ObjectWrite, planObjectWrite, writeObjectChange } from "../sync/object-writes";
import { deliverySecrets, signatureHeader } from "../sync/pipeline-secrets";
import { playbackTokens } from "../sync/playback-token";
import { defineJob } from "./job-type";
import { removalStatements } from "./remove-renditions";

const deliverPayload = z.union([
  z.object({ objectId: z.string() }),
  /** Jobs written before deliveries were sent per object named one delivery. */
  z.object({ deliveryId: z.string() }),
]);

export const deliverJob = defineJob({
  type: "deliver",
  payload: deliverPayload,
  key: (payload) => ("objectId" in payload ? deliverKey(payload.objectId) : payload.deliveryId),
  handle: async (deps, payload) => {
    const objectId = await objectOf(deps, payload);
    if (objectId) await deliverNewest(deps, objectId);
  },
  onDead: async (deps, payload, job, error) => {
    const objectId = await objectOf(deps, payload);
    if (objectId) await recordFailedDelivery(deps, objectId, job.attempt, error);
  },
});

/** One delivery job per object. */
export function deliverKey(objectId: string): string {
  return `deliver:${objectId}`;
}

/** Stable across retries, distinct per change: the pipeline deduplicates on it. */
export function deliveryId(objectId: string, version: number): string {
  return `${objectId}.v${version}`;
}

/**
 * The outbox: a delivery row announcing the object's new version, the object's delivery job,
 * and older unsent deliveries superseded, all only if the object write wins (to run in the same
 * batch as `write`).
 */
export function outboxStatements(
  deps: Pick<Deps, "jobs" | "clock">,
  write: ObjectWrite,
  type: DeliveryType,
  reason: LeaveReason | null = null,
): SQLWrapper[] {
  const id = deliveryId(write.objectId, write.version);
  return [
    sql`UPDATE deliveries SET status = 'superseded'
         WHERE object_id = ${write.objectId} AND status = 'pending' AND object_version < ${write.version}
           AND ${write.won}`,
    sql`INSERT INTO deliveries (id, object_id, bucket_id, type, reason, object_version, status, attempts, created_at)
        SELECT ${id}, ${write.objectId}, ${write.bucketId}, ${type}, ${reason}, ${write.version}, 'pending', 0, ${deps.clock.now()}
        WHERE ${write.won}
        ON CONFLICT (id) DO NOTHING`,
    deps.jobs.enqueueStatement(deliverJob.request({ objectId: write.objectId }), { onlyIf: write.won }),
  ];
}

/** The keys of the delivery jobs of a bucket's objects, as a sub-select (removing the bucket removes them). */
export function deliverKeysOfBucket(bucketId: string): SQL {
  return sql`SELECT ${deliverKey("")} || id FROM ${objects} WHERE bucket_id = ${bucketId}`;
}

async function objectOf(
  deps: Pick<Deps, "database">,
  payload: z.output<typeof deliverPayload>,
): Promise<string | null> {
  if ("objectId" in payload) return payload.objectId;
  const row = await deps.database.db
    .select({ objectId: deliveries.objectId })
    .from(deliveries)
    .where(eq(deliveries.id, payload.deliveryId))
    .get();
  return row?.objectId ?? null;
}

/** The object's newest delivery (its highest version), whatever its status. */
export async function newestDelivery(deps: Pick<Deps, "database">, objectId: string) {
  return deps.database.db
    .select()
    .from(deliveries)
    .where(eq(deliveries.objectId, objectId))
    .orderBy(desc(deliveries.objectVersion))
    .limit(1)
    .get();
}

/** The object's newest delivery, if it still has to be sent (pending, or failed and revived). */
async function newestUnsent(deps: Pick<Deps, "database">, objectId: string) {
  const newest = await newestDelivery(deps, objectId);
  return newest && (newest.status === "pending" || newest.status === "failed") ? newest : null;
}

/** What is kept of a pipeline's answer (stored on the delivery, shown by the API): a few hundred bytes. */
const EXCERPT_BYTES = 300;

/**
 * What a failed attempt records of the answer: a 2xx body is dropped unread, a redirect is named
 * (not followed), anything else is cut to `EXCERPT_BYTES` without control characters.
 */
async function answerExcerpt(response: Response, url: string): Promise<string> {
  if (response.ok) {
    await discardBody(response);
    return "";
  }
  if (response.status >= 300 && response.status < 400) {
    await discardBody(response);
    return `the pipeline answered a redirect to ${redirectOrigin(response, url)}; deliveries do not follow redirects: set pipeline_url to the final address`;
  }
  const text = await readBoundedText(response, EXCERPT_BYTES).catch(() => "");
  return text.replace(/\p{Cc}+/gu, " ").trim();
}

function redirectOrigin(response: Response, url: string): string {
  const location = response.headers.get("location");
  if (!location) return "nowhere (no Location header)";
  try {
    return new URL(location, url).origin;
  } catch {
    return "an unparseable Location";
  }
}

async function deliverNewest(deps: Deps, objectId: string): Promise<void> {
  const { db } = deps.database;
  const delivery = await newestUnsent(deps, objectId);
  if (!delivery) return;
  const object = await db.select().from(objects).where(eq(objects.id, objectId)).get();
  if (!object) return;
  const bucket = await db.select().from(buckets).where(eq(buckets.id, delivery.bucketId)).get();
  if (!bucket) return;
  const url = bucket.pipelineUrl ?? deps.pipeline.defaultUrl;
  if (!url) throw new AppError("CONFIG", "No pipeline URL is configured for this bucket (PIPELINE_URL)");
  assertPipelineUrl(url);
  // The bucket's own secret (and the one being rotated out): never another bucket's.
  const secrets = await deliverySecrets(deps, bucket);

  // Sent with fresh tokens; kept (and stored) with the unsigned URLs: no token rests in the database.
  const hosts = { streamBaseUrl: deps.stream.baseUrl, imageBaseUrl: deps.images.baseUrl };
  const payload = buildPipelinePayload(delivery, object, { ...hosts, tokens: null });
  const tokens = await signedPlaybackTokens(deps, object);
  const body = JSON.stringify(buildPipelinePayload(delivery, object, { ...hosts, tokens }));
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
        "webhook-signature": signatureHeader(secrets, delivery.id, timestamp, body),
      },
      body,
      // Never followed: a redirect would re-send the body and its signature to another host.
      redirect: "manual",
      signal: AbortSignal.timeout(deps.pipeline.timeoutMs),
    });
    status = response.status;
    excerpt = await answerExcerpt(response, url);
  } catch (err) {
    excerpt = describeError(err);
  }

  // The pipeline's answer may echo the body it was sent.
  for (const token of Object.values(tokens ?? {})) excerpt = excerpt.split(token).join("[token]");
  if (status >= 200 && status < 300) {
    await recordDelivered(deps, delivery, object, status, JSON.stringify(payload));
    return;
  }
  await db
    .update(deliveries)
    .set({
      attempts: sql`${deliveries.attempts} + 1`,
      lastStatus: status || null,
      lastError: excerpt,
      lastAttemptAt: deps.clock.now(),
      payload,
    })
    .where(eq(deliveries.id, delivery.id));
  const what = status ? `HTTP ${status}` : "no answer";
  throw new AppError("UPSTREAM", `Pipeline answered ${what}${excerpt ? `: ${excerpt}` : ""}`, {
    retryable: true,
  });
}

/**
 * The pipeline has it: the delivery is delivered (even if the object moved on meanwhile: it was
 * sent), the object's membership follows what was sent, and the object is `delivered` when that
 * was its latest version.
 */
async function recordDelivered(
  deps: Deps,
  delivery: typeof deliveries.$inferSelect,
  object: ObjectRow,
  status: number,
  body: string,
): Promise<void> {
  const now = deps.clock.now();
  const member = delivery.type !== "object.deleted";
  const statements: SQLWrapper[] = [
    sql`UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ${status},
          last_error = NULL, last_attempt_at = ${now}, delivered_at = ${now}, payload = ${body} WHERE id = ${delivery.id}`,
    sql`UPDATE objects SET acknowledged = ${member ? 1 : 0} WHERE id = ${object.id}`,
  ];
  const settlesObject = member && object.version === delivery.objectVersion && object.state !== "delivered";
  await deps.database.atomic(
    settlesObject ? [...statements, ...deliveredObjectStatements(deps, object, status)] : statements,
  );
  deps.metrics.deliveryAccepted(now - delivery.createdAt);
}

/**
 * The object becomes `delivered`. It may change between our read and this write: the delivery
 * stands either way. Once its stored file is delivered, the renditions the service created for it
 * may go.
 */
function deliveredObjectStatements(deps: Deps, object: ObjectRow, status: number): SQLWrapper[] {
  const write = planObjectWrite(deps, object, {
    bucketId: object.bucketId,
    syncId: object.syncId,
    assetId: object.assetId,
    state: "delivered",
    reason: null,
    message: `Delivered to the pipeline (HTTP ${status})`,
    discoveredVia: object.discoveredVia,
  });
  return [...write.statements, ...removalStatements(deps, object, write.won)];
}

/** Fresh tokens for a signed playback id's URLs; null when its URLs serve as they are (public). */
async function signedPlaybackTokens(deps: Deps, object: ObjectRow): Promise<PlaybackTokens | null> {
  if (object.playbackPolicy !== "signed" || !object.playbackId) return null;
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync) return null;
  return playbackTokens(deps, sync.connectionId, object.playbackId);
}

async function recordFailedDelivery(deps: Deps, objectId: string, attempt: number, error: unknown) {
  const { db } = deps.database;
  const delivery = await newestUnsent(deps, objectId);
  if (!delivery) return;
  await db
    .update(deliveries)
    .set({ status: "failed" })
    .where(and(eq(deliveries.id, delivery.id), inArray(deliveries.status, ["pending", "failed"])));
  const object = await db.select().from(objects).where(eq(objects.id, objectId)).get();
  if (!object || object.version !== delivery.objectVersion || delivery.type === "object.deleted") return;
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
