/**
 * The create-rendition job: asks Mux for one static rendition of one asset (`POST
 * /video/v1/assets/{ASSET_ID}/static-renditions`), once, and records the answer on its request
 * (`rendition_requests`). Queued by the ingest write that asked (`create-rendition-request.ts`).
 *
 * - Its POST goes through the connection's write bucket (Mux: 1 POST/s sustained); a 429 is
 *   waited out (the SDK's retries with Retry-After, then the queue's `RetryAfterError`), a 5xx or
 *   no answer is retried with backoff. A retry of a POST Mux did carry out meets "already defined":
 *   the rendition carries this request's `passthrough`, so it is still known as the service's own.
 * - 201: the service's own rendition, `preparing`; Mux's per-file events (or the poller) bring the
 *   asset's ingest jobs. "Already defined" (without this request's passthrough): someone else's,
 *   never removed. 403: the token is read-only, remembered on the connection (later requests of
 *   that connection are not sent until it may write again). Any other refusal is kept with
 *   Mux's message. After an answer that is not a 201 the asset's objects are judged again.
 */
import { and, eq, type SQLWrapper } from "drizzle-orm";
import {
  type RenditionRequestRow,
  type RenditionRequestStatus,
  renditionRequests,
} from "../db/rendition-requests";
import { objects, syncs } from "../db/schema";
import { attempts, describeError } from "../lib/errors";
import { type StaticRenditionAnswer, WRITE_HELP } from "../mux/client";
import type { Deps } from "../sync/deps";
import { apiFileFor, requestPassthrough } from "../sync/rendition-requests";
import { readWritePermission, writePermissionStatement } from "../sync/write-permission";
import { type CreateRenditionInput, createRenditionShape } from "./create-rendition-request";
import { ingestJob } from "./ingest";
import { defineJob } from "./job-type";

export const createRenditionJob = defineJob({
  ...createRenditionShape,
  handle: (deps, payload) => createRendition(deps, payload),
  onDead: async (deps, payload, job, error) => {
    const row = await requestRow(deps, payload);
    if (row?.status !== "requested") return;
    await settle(deps, payload, row, {
      status: "rejected",
      message: `Gave up asking Mux after ${attempts(job.attempt)}: ${describeError(error)}`,
    });
  },
});

type Outcome = { status: RenditionRequestStatus; message: string; renditionId?: string };

async function createRendition(deps: Deps, input: CreateRenditionInput): Promise<void> {
  const row = await requestRow(deps, input);
  // Answered already (a duplicate run, or a request re-armed and answered by another run).
  if (row?.status !== "requested") return;
  if ((await readWritePermission(deps, input.connectionId)) === false) {
    await settle(deps, input, row, {
      status: "refused",
      message: `Not sent: Mux answered 403 to an earlier request over this connection (${WRITE_HELP})`,
    });
    return;
  }
  const api = await deps.credentials.api(input.connectionId);
  const passthrough = requestPassthrough(row.token);
  const answer = await api.createStaticRendition(input.assetId, input.resolution, passthrough);
  const outcome =
    answer.kind === "exists" ? await ownOrNot(deps, input, passthrough, answer) : outcomeOf(answer);
  await settle(deps, input, row, outcome);
}

function outcomeOf(answer: Exclude<StaticRenditionAnswer, { kind: "exists" }>): Outcome {
  switch (answer.kind) {
    case "created":
      return {
        status: "created",
        renditionId: answer.id,
        message: `Mux is making ${answer.name ?? "the rendition"} (static rendition ${answer.id}, ${answer.status ?? "preparing"})`,
      };
    case "forbidden":
      return { status: "refused", message: `Mux answered 403 (${answer.message}): ${WRITE_HELP}` };
    default:
      return { status: "rejected", message: `Mux answered ${answer.status}: ${answer.message}` };
  }
}

/** "Already defined": the service's own only if the rendition carries this request's passthrough. */
async function ownOrNot(
  deps: Deps,
  input: CreateRenditionInput,
  passthrough: string,
  answer: Extract<StaticRenditionAnswer, { kind: "exists" }>,
): Promise<Outcome> {
  const asset = await (await deps.credentials.api(input.connectionId)).retrieveAsset(input.assetId);
  const file = asset ? apiFileFor(asset, input.resolution) : undefined;
  if (file?.id && file.passthrough === passthrough) {
    return {
      status: "created",
      renditionId: file.id,
      message: `Mux had made ${file.name} for this request already (an earlier attempt's answer was lost)`,
    };
  }
  return {
    status: "existing",
    message: `Mux answered that ${input.resolution} is already defined on the asset (${answer.message}): not this service's, never removed`,
  };
}

/**
 * Records the answer (only on the request as this run read it), what it says of the token's
 * write permission, and, unless Mux is now making the file, the asset's objects judged again.
 */
async function settle(
  deps: Deps,
  input: CreateRenditionInput,
  row: RenditionRequestRow,
  outcome: Outcome,
): Promise<void> {
  const now = deps.clock.now();
  const statements: SQLWrapper[] = [
    deps.database.db
      .update(renditionRequests)
      .set({
        status: outcome.status,
        renditionId: outcome.renditionId ?? null,
        message: outcome.message,
        answeredAt: now,
      })
      .where(
        and(
          thisRequest(input),
          eq(renditionRequests.token, row.token),
          eq(renditionRequests.status, "requested"),
        ),
      )
      .getSQL(),
  ];
  const canWrite =
    outcome.status === "created" || outcome.status === "existing"
      ? true
      : outcome.status === "refused"
        ? false
        : null;
  if (canWrite !== null) statements.push(writePermissionStatement(input.connectionId, canWrite));
  const rejudge = outcome.status === "created" ? [] : await holderSyncs(deps, input);
  for (const syncId of rejudge) {
    statements.push(
      deps.jobs.enqueueStatement(ingestJob.request({ syncId, assetId: input.assetId, via: "poll" })),
    );
  }
  await deps.database.atomic(statements);
  if (rejudge.length > 0) deps.doorbell.ring();
  deps.logger.info("Static rendition asked of Mux", {
    connection_id: input.connectionId,
    asset_id: input.assetId,
    resolution: input.resolution,
    outcome: outcome.status,
  });
}

/** The syncs over the connection whose bucket holds an object for the asset. */
async function holderSyncs(deps: Pick<Deps, "database">, input: CreateRenditionInput): Promise<string[]> {
  const rows = await deps.database.db
    .select({ id: syncs.id })
    .from(syncs)
    .innerJoin(objects, and(eq(objects.bucketId, syncs.bucketId), eq(objects.assetId, input.assetId)))
    .where(eq(syncs.connectionId, input.connectionId))
    .all();
  return rows.map((r) => r.id);
}

function thisRequest(input: CreateRenditionInput) {
  return and(
    eq(renditionRequests.connectionId, input.connectionId),
    eq(renditionRequests.assetId, input.assetId),
    eq(renditionRequests.resolution, input.resolution),
  );
}

async function requestRow(deps: Pick<Deps, "database">, input: CreateRenditionInput) {
  return (await deps.database.db.select().from(renditionRequests).where(thisRequest(input)).get()) ?? null;
}
