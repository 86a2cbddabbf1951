/**
 * The ingest job: one asset in one sync, whatever triggered it (webhook, poll, manual trigger).
 * It re-reads the asset from Mux, because webhooks are unordered and may be partial, evaluates
 * it, and lets the transition rule (`sync/object-transitions.ts`) say what to write and what to
 * tell the pipeline; the change and its announcement are written together (`ingest-apply.ts`).
 */
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { deliveries, type ObjectRow, type ObjectState, objects, syncs, TRIGGERS } from "../db/schema";
import { AppError, attempts, describeError } from "../lib/errors";
import { assetFingerprint } from "../mux/asset-fingerprint";
import { muxIdSchema } from "../mux/ids";
import { type MuxAsset, muxAssetSchema } from "../mux/schemas";
import { assetMetadata } from "../sync/asset-metadata";
import type { Deps } from "../sync/deps";
import { requireEnvironment } from "../sync/environment-guard";
import { evaluateAsset } from "../sync/evaluate-asset";
import { parseFileFilters } from "../sync/filters";
import { decideChange, type Target, type TransitionContext } from "../sync/object-transitions";
import { type ObjectChange, writeObjectChange } from "../sync/object-writes";
import { pipelineUrlFor } from "../sync/pipeline-url";
import { rowView } from "../sync/pipeline-view";
import { renditionRecord } from "../sync/rendition-record";
import { resolveProbe } from "../sync/resolve-probe";
import { countApiCall } from "../sync/run-record";
import { assetIdFromSourcePath } from "../sync/settings";
import { trackRecords } from "../sync/track-records";
import { decideWaitFor, heldChange, waitForFields } from "../sync/wait-for";
import { applyPlan, type IngestOutcome } from "./ingest-apply";
import { recordNotFound } from "./ingest-deletion";
import { askFor, judgeRenditionRequests } from "./ingest-renditions";
import { defineJob } from "./job-type";

const ingestPayload = z.object({
  syncId: z.string(),
  /** A Mux id: a job queued with anything else (before ids were checked where they enter) dies unrun. */
  assetId: muxIdSchema,
  via: z.enum(TRIGGERS).default("poll"),
  /** The reconciliation run that enqueued this job, for its counters. */
  runId: z.string().optional(),
  /**
   * Set by passes after the initial one: finding work then means a webhook was missed. (An
   * initial pass discovers the existing library by design; that is not a repair.)
   */
  repairs: z.boolean().optional(),
  /** The asset as a listing showed it moments ago; used instead of a GET while fresh. */
  snapshot: z.unknown().optional(),
  snapshotAt: z.number().optional(),
  /** A person confirmed the deletions the guard held: a 404 is a deletion. */
  deletionConfirmed: z.boolean().optional(),
});
export type IngestInput = z.output<typeof ingestPayload>;

export const ingestJob = defineJob({
  type: "ingest",
  payload: ingestPayload,
  key: ({ syncId, assetId }) => ingestKey(syncId, assetId),
  handle: async (deps, payload) => {
    await ingestAsset(deps, payload);
  },
  onDead: (deps, payload, job, error) => markIngestFailed(deps, payload, job.attempt, error),
});

/** One ingest job per asset and sync: a webhook and a poll about the same asset meet in it. */
export function ingestKey(syncId: string, assetId: string): string {
  return `${ingestKeyPrefix(syncId)}${assetId}`;
}

/** Every ingest job of a sync has a key starting with this (removing a sync removes them). */
export function ingestKeyPrefix(syncId: string): string {
  return `ingest:${syncId}:`;
}

/** A listing this recent is as good as a GET: Mux is the source either way. */
export const SNAPSHOT_MAX_AGE_MS = 60_000;

export async function ingestAsset(deps: Deps, input: IngestInput): Promise<IngestOutcome> {
  const { db } = deps.database;
  const sync = await db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!sync) return { kind: "ignored", why: "the sync no longer exists" };
  if (sync.status === "paused") return { kind: "ignored", why: "the sync is paused" };
  if (sync.suspension === "environment_changed")
    return { kind: "ignored", why: "the sync is suspended: its token reaches another environment" };
  const onlyAsset = assetIdFromSourcePath(sync.sourcePath);
  if (onlyAsset && onlyAsset !== input.assetId)
    return { kind: "ignored", why: "outside the sync's source_path" };
  if (!(await requireEnvironment(deps, sync.connectionId)))
    return { kind: "ignored", why: "the token reaches another environment" };

  const existing = await findObject(deps, sync.bucketId, input.assetId);
  const context = await transitionContext(deps, sync.bucketId, existing);
  const { asset, fromSnapshot } = await readAsset(deps, sync.connectionId, input);
  if (!asset) return recordNotFound(deps, sync, existing, input, context);
  if (existing?.pendingDeletionAt != null) await releaseHold(deps, existing.id);

  if (sync.syncMode === "initial_only" && !existing && isAfterSnapshot(asset, sync.snapshotAt)) {
    return { kind: "ignored", why: "created after the initial_only snapshot" };
  }

  const now = deps.clock.now();
  const credentials = await deps.credentials.get(sync.connectionId);
  const filters = parseFileFilters(sync.fileFilters);
  if (!filters.ok) {
    // Filters are validated when saved; a stored value that no longer parses needs a person.
    throw new AppError("CONFIG", `The sync's file_filters are invalid: ${filters.problems.join("; ")}`);
  }
  const gated = evaluateAsset(asset, {
    filters: filters.value,
    renditionPreference: sync.renditionPreference ?? null,
    hasSigningKey: Boolean(credentials.signingKeyId && credentials.signingPrivateKey),
    now,
    waitingSince: existing?.waitingSince ?? null,
    renditionGraceMs: deps.ingest.renditionGraceMs,
  });
  // MP4s made on demand (`create_renditions`): what to ask Mux for, and what waiting on it means.
  const { evaluation, ask } = await judgeRenditionRequests(deps, sync, asset, gated, existing);
  // Asking Mux for a rendition is decided on a fresh read, as giving up on one is.
  if (fromSnapshot && ask.length > 0) return ingestFresh(deps, input);
  // Giving up on an asset's MP4s is decided on a fresh read: a listing taken before its MP4s
  // were made, judged after the grace period, would skip an asset that has them by now.
  if (fromSnapshot && evaluation.state === "skipped" && evaluation.reason === "no_static_renditions")
    return ingestFresh(deps, input);
  const resolved = await resolveProbe(deps, sync.connectionId, evaluation);
  const wait =
    resolved.state === "ready"
      ? decideWaitFor({
          waitFor: sync.waitFor,
          graceSeconds: sync.waitForGraceSeconds,
          asset,
          existing,
          now,
        })
      : null;

  const change: ObjectChange = {
    bucketId: sync.bucketId,
    syncId: sync.id,
    assetId: asset.id,
    state: resolved.state,
    reason: ("reason" in resolved ? resolved.reason : null) ?? null,
    message: "message" in resolved ? resolved.message : null,
    metadata: assetMetadata(asset),
    tracks: trackRecords(asset, existing?.tracks ?? null),
    discoveredVia: existing?.discoveredVia ?? input.via,
    sourceFingerprint: assetFingerprint(asset),
    ...waitForFields(wait),
  };
  if (wait?.kind === "hold") Object.assign(change, heldChange(wait));
  else if (resolved.state === "ready") {
    const first = resolved.candidates[0];
    if (!first) throw new AppError("INTERNAL", "A ready evaluation must carry a rendition");
    change.playbackId = resolved.playback.id;
    change.playbackPolicy = resolved.playback.policy;
    change.rendition = renditionRecord(deps.stream.baseUrl, resolved.playback.id, first);
    change.message = `MP4 rendition ${first.name} is available${deps.storage ? "; downloading" : ""}`;
    if (wait?.kind === "expired") change.message = `${change.message}. ${wait.message}`;
  }
  if (resolved.state === "waiting_for_rendition") change.waitingSince = existing?.waitingSince ?? now;

  const plan = decideChange(existing, targetOf(change, existing), context);
  if (!plan.write) {
    if (ask.length > 0) await deps.database.atomic(askFor(deps, sync, asset.id, ask));
    if (existing) await recordFingerprint(deps, existing, change.sourceFingerprint ?? null);
    return { kind: "unchanged", state: existing?.state ?? change.state };
  }
  // A listing may be a minute old: it may add an object or move one forward, but whatever it
  // would change about an object the pipeline has is decided on a fresh read.
  if (fromSnapshot && existing && (isMember(existing) || progress(plan.state) < progress(existing.state)))
    return ingestFresh(deps, input);
  return applyPlan(deps, existing, change, plan, input, {
    candidates: resolved.state === "ready" ? resolved.candidates : [],
    alongside: (write) => askFor(deps, sync, asset.id, ask, write.won),
  });
}

const PROGRESS: Partial<Record<ObjectState, number>> = {
  waiting_for_asset: 1,
  waiting_for_rendition: 2,
  ready: 3,
  delivered: 4,
};

/** How far along the way to the pipeline a state is (states off that way have no rank). */
function progress(state: ObjectState): number {
  return PROGRESS[state] ?? Number.NEGATIVE_INFINITY;
}

function isMember(object: ObjectRow): boolean {
  return object.state === "ready" || object.state === "delivered" || object.announcedView !== null;
}

function ingestFresh(deps: Deps, input: IngestInput): Promise<IngestOutcome> {
  return ingestAsset(deps, { ...input, snapshot: undefined, snapshotAt: undefined });
}

/** What the evaluation says the object is now, for the transition rule. */
function targetOf(change: ObjectChange, existing: ObjectRow | null): Target {
  const view = rowView({
    metadata: change.metadata ?? existing?.metadata ?? null,
    rendition: change.rendition ?? null,
    playbackId: change.playbackId ?? null,
    playbackPolicy: change.playbackPolicy ?? null,
    tracks: change.tracks ?? existing?.tracks ?? null,
  });
  if (change.state === "ready") return { qualifies: true, view };
  return {
    qualifies: false,
    state: change.state,
    reason: change.reason,
    view: { ...view, ...keptView(existing) },
  };
}

/** A departing object keeps its last rendition and playback id on the row (the payload carries them). */
function keptView(existing: ObjectRow | null) {
  return {
    rendition: existing?.rendition?.name ?? null,
    playbackId: existing?.playbackId ?? null,
    playbackPolicy: existing?.playbackPolicy ?? null,
  };
}

async function transitionContext(
  deps: Deps,
  bucketId: string,
  existing: ObjectRow | null,
): Promise<TransitionContext> {
  const latest = existing
    ? await deps.database.db
        .select({ status: deliveries.status })
        .from(deliveries)
        .where(eq(deliveries.objectId, existing.id))
        .orderBy(desc(deliveries.objectVersion))
        .limit(1)
        .get()
    : undefined;
  return {
    pipeline: (await pipelineUrlFor(deps, bucketId)) !== null,
    storage: deps.storage !== null,
    latestDelivery: latest?.status ?? null,
  };
}

async function findObject(deps: Pick<Deps, "database">, bucketId: string, assetId: string) {
  return (
    (await deps.database.db
      .select()
      .from(objects)
      .where(and(eq(objects.bucketId, bucketId), eq(objects.assetId, assetId)))
      .get()) ?? null
  );
}

/**
 * Judged unchanged: the reading's fingerprint is kept, without a new version (nothing the
 * pipeline sees changed), so later listings showing the same asset do not judge it again.
 */
async function recordFingerprint(
  deps: Pick<Deps, "database">,
  existing: ObjectRow,
  fingerprint: string | null,
) {
  if (existing.sourceFingerprint === fingerprint) return;
  await deps.database.db
    .update(objects)
    .set({ sourceFingerprint: fingerprint })
    .where(and(eq(objects.id, existing.id), eq(objects.version, existing.version)));
}

/** The asset exists after all: a deletion the guard held is released. */
async function releaseHold(deps: Pick<Deps, "database">, objectId: string): Promise<void> {
  await deps.database.db.update(objects).set({ pendingDeletionAt: null }).where(eq(objects.id, objectId));
}

async function readAsset(
  deps: Deps,
  connectionId: string,
  input: IngestInput,
): Promise<{ asset: MuxAsset | null; fromSnapshot: boolean }> {
  const age = input.snapshotAt === undefined ? Number.POSITIVE_INFINITY : deps.clock.now() - input.snapshotAt;
  if (input.snapshot && age <= SNAPSHOT_MAX_AGE_MS) {
    const parsed = muxAssetSchema.safeParse(input.snapshot);
    if (parsed.success) return { asset: parsed.data, fromSnapshot: true };
  }
  const api = await deps.credentials.api(connectionId);
  const asset = await api.retrieveAsset(input.assetId);
  if (input.runId) await countApiCall(deps, input.runId);
  return { asset, fromSnapshot: false };
}

/**
 * A dead ingest job leaves its object `failed` with the last error, so a person sees it (status,
 * dashboard, API) and can retry it. An asset never read still gets an object row, or the failure
 * would be invisible. An object the pipeline has keeps its state: failing to look at it again
 * says nothing about the asset, and the dead job is listed with the dead letters.
 */
async function markIngestFailed(deps: Deps, input: IngestInput, attempt: number, error: unknown) {
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!sync) return;
  const existing = await findObject(deps, sync.bucketId, input.assetId);
  if (
    existing &&
    (existing.state === "delivered" || existing.state === "deleted" || existing.announcedView !== null)
  )
    return;
  await writeObjectChange(deps, existing, {
    bucketId: sync.bucketId,
    syncId: input.syncId,
    assetId: input.assetId,
    state: "failed",
    reason: "ingest_failed",
    message: `Gave up after ${attempts(attempt)}: ${describeError(error)}`,
    discoveredVia: existing?.discoveredVia ?? input.via,
  });
}

function isAfterSnapshot(asset: MuxAsset, snapshotAt: number | null): boolean {
  if (snapshotAt === null || asset.created_at === null) return false;
  return asset.created_at * 1000 > snapshotAt;
}
