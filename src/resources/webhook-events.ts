/**
 * The push path: a signed Mux webhook becomes a recorded event plus one ingest job per affected
 * sync, in one atomic write. Nothing here calls Mux; the job does, after we have answered.
 *
 * Deduplication rides on the same write, per connection (two connections may share a Mux
 * environment, and each must get the event): the event row `(connection_id, id)` is inserted with
 * a random nonce, and each of that connection's jobs is enqueued only if the stored row carries
 * that nonce, i.e. only if this request was the first to record the event for it. A duplicate
 * delivery therefore enqueues nothing, even when two copies race.
 */
import type { WebhookOutcome } from "../db/schema";
import { statement } from "../db/statement";
import { ingestJob } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import { eventTarget } from "../mux/events";
import { type WebhookEnvelope, webhookEnvelopeSchema } from "../mux/schemas";
import {
  MISMATCH_MESSAGE,
  parseSignatureHeader,
  verifyMuxSignature,
  WebhookSignatureError,
} from "../mux/signature";
import { type ConnectionCredentials, UnopenableCredentialsError } from "../sync/connection-credentials";
import type { Deps } from "../sync/deps";
import { assetIdFromSourcePath } from "../sync/settings";
import type { RoutedSync } from "../sync/webhook-routing";

type WebhookDeps = Pick<
  Deps,
  "database" | "jobs" | "clock" | "credentials" | "routing" | "hmac" | "doorbell" | "webhooks"
>;

export type WebhookInput = {
  /** From `/webhooks/mux/:connection_id`; null routes by the envelope's environment id. */
  connectionId: string | null;
  rawBody: string;
  signature: string | null;
};

export type WebhookResult = {
  /** True when every connection that took the event had recorded it already. */
  duplicate: boolean;
  eventId: string;
  type: string;
  outcome: WebhookOutcome;
  jobs: number;
  /** The connections whose secret signed it: each records the event and gets its own jobs. */
  connectionIds: string[];
};

/**
 * HMACs one request may cost, at most. A connection holds at most 10 secrets (a rotation list),
 * so one connection's endpoint always fits; on the unsuffixed route, secrets shared by several
 * connections are computed once.
 */
export const MAX_SIGNATURE_HMACS = 10;

/** Stands in for a secret where there is none, so that such a request costs one HMAC too. */
const NO_SECRET = "mux-ingest: no webhook secret";

/** No connection with that id; none for the claimed environment; or no secret configured. */
type UnverifiableReason = "unknown_connection" | "no_connection" | "no_secret" | "unopenable";

/**
 * Answered exactly like a signature that matches no secret, so that neither which connection ids
 * exist nor which have secrets can be learnt from the answer; `why` is for the log only.
 */
export class UnverifiableWebhookError extends WebhookSignatureError {
  readonly why: UnverifiableReason;
  constructor(why: UnverifiableReason, message: string) {
    super("mismatch", message);
    this.why = why;
  }
}

export async function receiveWebhook(deps: WebhookDeps, input: WebhookInput): Promise<WebhookResult> {
  // Parsed once, before verification, only to route by environment; nothing else is read from an
  // unverified body.
  const json = parseJson(input.rawBody);
  const connectionIds = await verifyAgainstConnections(deps, input, environmentIdOf(json));
  const event = parseEnvelope(json);
  const target = eventTarget(event);
  const now = deps.clock.now();
  const assetId = target.kind === "asset" ? target.assetId : null;

  const writes: Array<{ connectionId: string; syncIds: string[]; outcome: WebhookOutcome }> = [];
  for (const connectionId of connectionIds) {
    const syncIds = assetId === null ? [] : affectedSyncs(await deps.routing.syncsOf(connectionId), assetId);
    const outcome: WebhookOutcome =
      target.kind !== "asset" ? target.kind : syncIds.length === 0 ? "no_sync" : "enqueued";
    writes.push({ connectionId, syncIds, outcome });
  }
  const statements = [];
  const insertAt: number[] = [];
  for (const { connectionId, syncIds, outcome } of writes) {
    const nonce = crypto.randomUUID();
    const recordedByUs = statement`EXISTS (SELECT 1 FROM webhook_events
                                     WHERE connection_id = ${connectionId} AND id = ${event.id} AND nonce = ${nonce})`;
    insertAt.push(statements.length);
    statements.push(
      statement`INSERT INTO webhook_events (id, connection_id, type, asset_id, outcome, jobs_enqueued, nonce,
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
    );
  }
  const results = await deps.database.atomic(statements);
  const fresh = writes.filter((_, i) => results[insertAt[i] ?? -1]?.changed);
  const jobs = fresh.reduce((sum, write) => sum + write.syncIds.length, 0);
  if (jobs > 0) deps.doorbell.ring();
  const outcomes = writes.map((write) => write.outcome);
  return {
    duplicate: fresh.length === 0,
    eventId: event.id,
    type: event.type,
    outcome: outcomes.includes("enqueued") ? "enqueued" : (outcomes[0] ?? "no_sync"),
    jobs,
    connectionIds,
  };
}

/**
 * The connections whose secret signed the request: on `/webhooks/mux/:id` that one; on the
 * unsuffixed route every candidate (`WebhookRouting.connectionsFor`) holding the secret that
 * matched, so that two connections of one environment sharing its endpoint each take the event.
 * The cost is bounded whatever the request claims: at most `MAX_WEBHOOK_CANDIDATES` connections
 * and `MAX_SIGNATURE_HMACS` distinct secrets; without a secret to try (an unknown id, no secret
 * configured) one HMAC all the same, and the answer of a mismatch.
 */
async function verifyAgainstConnections(
  deps: WebhookDeps,
  input: WebhookInput,
  environmentId: string | null,
): Promise<string[]> {
  const candidates =
    input.connectionId === null
      ? await deps.routing.connectionsFor(environmentId)
      : (await deps.routing.exists(input.connectionId))
        ? [input.connectionId]
        : [];
  const secretsOf: Array<{ id: string; held: string[] }> = [];
  const secrets: string[] = [];
  let unopenable = false;
  for (const id of candidates) {
    const credentials = await openableCredentials(deps, id);
    if (credentials === "unopenable") unopenable = true;
    else if (credentials) {
      const held = credentials.webhookSecrets.filter(Boolean);
      secretsOf.push({ id, held });
      // Each distinct secret once, in the candidates' order, at most MAX_SIGNATURE_HMACS.
      for (const secret of held)
        if (secrets.length < MAX_SIGNATURE_HMACS && !secrets.includes(secret)) secrets.push(secret);
    }
  }
  if (secrets.length === 0) {
    const why: UnverifiableReason =
      secretsOf.length > 0
        ? "no_secret"
        : unopenable
          ? "unopenable"
          : input.connectionId === null
            ? "no_connection"
            : "unknown_connection";
    // The work and the answer of a mismatch: the header parsed (its errors are the same), one HMAC.
    const { timestamp } = parseSignatureHeader(input.signature);
    await deps.hmac.hex(NO_SECRET, `${timestamp}.`, input.rawBody);
    throw new UnverifiableWebhookError(why, MISMATCH_MESSAGE);
  }
  const index = await verifyMuxSignature({
    rawBody: input.rawBody,
    header: input.signature,
    secrets,
    nowSeconds: Math.floor(deps.clock.now() / 1000),
    toleranceSeconds: deps.webhooks.toleranceSeconds,
    hmac: deps.hmac,
  });
  const matched = secrets[index] ?? "";
  return secretsOf.filter(({ held }) => held.includes(matched)).map(({ id }) => id);
}

/**
 * A candidate's credentials; null when it was deleted since the routing cache read it (as unknown
 * as any other id); "unopenable" when another ENCRYPTION_KEY sealed its secrets. Either is skipped,
 * so neither turns a webhook into a 500, and a request no other connection verifies is a 401 like
 * any forgery.
 */
async function openableCredentials(
  deps: WebhookDeps,
  id: string,
): Promise<ConnectionCredentials | null | "unopenable"> {
  try {
    return await deps.credentials.get(id);
  } catch (err) {
    if (err instanceof UnopenableCredentialsError) return "unopenable";
    if (err instanceof AppError && err.code === "NOT_FOUND") return null;
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
