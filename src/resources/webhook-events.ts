/**
 * The push path: a signed Mux webhook becomes a recorded event plus one ingest job per affected
 * sync, in one atomic write. Nothing here calls Mux; the job does, after we have answered.
 *
 * Deduplication rides on the same write: the event row is inserted with a random nonce, and
 * each job is enqueued only if the stored row carries that nonce, i.e. only if this request was
 * the first to record the event. A duplicate delivery therefore enqueues nothing, even when two
 * copies race.
 */
import { sql } from "drizzle-orm";
import type { WebhookOutcome } from "../db/schema";
import { ingestJob } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import { eventTarget } from "../mux/events";
import { type WebhookEnvelope, webhookEnvelopeSchema } from "../mux/schemas";
import { verifyMuxSignature, WebhookSignatureError } from "../mux/signature";
import { type ConnectionCredentials, UnopenableCredentialsError } from "../sync/connection-credentials";
import type { Deps } from "../sync/deps";
import { assetIdFromSourcePath } from "../sync/settings";
import type { RoutedSync } from "../sync/webhook-routing";

type WebhookDeps = Pick<
  Deps,
  "database" | "jobs" | "clock" | "credentials" | "routing" | "hmac" | "doorbell" | "webhooks"
>;

export type WebhookInput = {
  /** From `/webhooks/mux/:connection_id`; null tries every connection's secrets. */
  connectionId: string | null;
  rawBody: string;
  signature: string | null;
};

export type WebhookResult = {
  duplicate: boolean;
  eventId: string;
  type: string;
  outcome: WebhookOutcome;
  jobs: number;
  connectionId: string;
};

export async function receiveWebhook(deps: WebhookDeps, input: WebhookInput): Promise<WebhookResult> {
  // Parsed once, before verification, only to route by environment; nothing else is read from an
  // unverified body.
  const json = parseJson(input.rawBody);
  const connectionId = await verifyAgainstConnections(deps, input, environmentIdOf(json));
  const event = parseEnvelope(json);
  const target = eventTarget(event);
  const now = deps.clock.now();

  const assetId = target.kind === "asset" ? target.assetId : null;
  let outcome: WebhookOutcome = target.kind === "asset" ? "enqueued" : target.kind;
  let syncIds: string[] = [];
  if (assetId !== null) {
    syncIds = affectedSyncs(await deps.routing.syncsOf(connectionId), assetId);
    if (syncIds.length === 0) outcome = "no_sync";
  }

  const nonce = crypto.randomUUID();
  const recordedByUs = sql`EXISTS (SELECT 1 FROM webhook_events
                                   WHERE connection_id = ${connectionId} AND id = ${event.id} AND nonce = ${nonce})`;
  const statements = [
    sql`INSERT INTO webhook_events (id, connection_id, type, asset_id, outcome, jobs_enqueued, nonce,
                                    event_created_at, received_at)
        VALUES (${event.id}, ${connectionId}, ${event.type}, ${assetId},
                ${outcome}, ${syncIds.length}, ${nonce},
                ${event.created_at === null ? null : event.created_at * 1000}, ${now})
        ON CONFLICT (connection_id, id) DO NOTHING`,
    ...syncIds.map((syncId) =>
      deps.jobs.enqueueStatement(ingestJob.request({ syncId, assetId: String(assetId), via: "webhook" }), {
        onlyIf: recordedByUs,
      }),
    ),
  ];
  const [inserted] = await deps.database.atomic(statements);
  const duplicate = (inserted?.changes ?? 0) === 0;
  if (!duplicate && syncIds.length > 0) deps.doorbell.ring();
  return {
    duplicate,
    eventId: event.id,
    type: event.type,
    outcome,
    jobs: duplicate ? 0 : syncIds.length,
    connectionId,
  };
}

/** Returns the id of the connection whose secret signed the request. */
async function verifyAgainstConnections(
  deps: WebhookDeps,
  input: WebhookInput,
  environmentId: string | null,
): Promise<string> {
  const candidates = input.connectionId
    ? [input.connectionId]
    : await deps.routing.connectionsFor(environmentId);
  const nowSeconds = Math.floor(deps.clock.now() / 1000);
  let failure: WebhookSignatureError | null = null;
  let anySecret = false;
  for (const id of candidates) {
    const credentials = await openableCredentials(deps, id);
    if (!credentials || credentials.webhookSecrets.length === 0) continue;
    anySecret = true;
    try {
      await verifyMuxSignature({
        rawBody: input.rawBody,
        header: input.signature,
        secrets: credentials.webhookSecrets,
        nowSeconds,
        toleranceSeconds: deps.webhooks.toleranceSeconds,
        hmac: deps.hmac,
      });
      return id;
    } catch (err) {
      if (!(err instanceof WebhookSignatureError)) throw err;
      // A timestamp error means the secret matched: no other connection will do better.
      if (err.reason === "too_old" || err.reason === "too_new") throw err;
      failure = err;
    }
  }
  if (!anySecret) {
    throw new AppError(
      "UNAUTHORIZED",
      "No webhook signing secret is configured for this endpoint (set MUX_WEBHOOK_SECRET or the connection's webhook_secrets)",
    );
  }
  throw failure ?? new WebhookSignatureError("mismatch", "No Mux-Signature v1 value matches the payload");
}

/**
 * A candidate's credentials, or null when it cannot verify anything: a connection whose secrets
 * cannot be opened (another ENCRYPTION_KEY sealed them) is skipped, so it never turns a webhook
 * into a 500, and a request no other connection verifies is a 401 like any forgery.
 */
async function openableCredentials(deps: WebhookDeps, id: string): Promise<ConnectionCredentials | null> {
  try {
    return await deps.credentials.get(id);
  } catch (err) {
    if (err instanceof UnopenableCredentialsError) return null;
    throw err;
  }
}

const NOT_JSON = Symbol("not JSON");

function parseJson(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    return NOT_JSON;
  }
}

/** The envelope's `environment.id`, if the body has one (Mux always sends it). */
function environmentIdOf(json: unknown): string | null {
  if (typeof json !== "object" || json === null) return null;
  const environment = (json as { environment?: unknown }).environment;
  if (typeof environment !== "object" || environment === null) return null;
  const id = (environment as { id?: unknown }).id;
  return typeof id === "string" && id.length > 0 && id.length <= 255 ? id : null;
}

function parseEnvelope(json: unknown): WebhookEnvelope {
  if (json === NOT_JSON) throw new AppError("BAD_REQUEST", "The webhook body is not valid JSON");
  const parsed = webhookEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError("VALIDATION", "The webhook body is not a Mux event envelope", {
      details: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

/** The syncs of a connection that an event about `assetId` concerns (paused syncs catch up on resume). */
function affectedSyncs(rows: RoutedSync[], assetId: string): string[] {
  return rows
    .filter((row) => row.status !== "paused")
    .filter((row) => {
      const only = assetIdFromSourcePath(row.sourcePath);
      return only === null || only === assetId;
    })
    .map((row) => row.id);
}
