/**
 * The ingest job: one asset in one sync, whatever triggered it (webhook, poll, manual trigger).
 * It re-reads the asset from Mux, because webhooks are unordered and may be partial, applies the
 * gates, and records the outcome; a change the pipeline must hear about goes out through the
 * outbox in the same write.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { buckets, type ObjectMetadata, objects, runs, syncs } from "../db/schema";
import type { Clock } from "../lib/clock";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { RenditionCandidate } from "../mux/renditions";
import { type MuxAsset, muxAssetSchema } from "../mux/schemas";
import { probeRenditions } from "../mux/stream";
import type { JobStore } from "../queue/job-store";
import { storagePrefix } from "../storage/keys";
import type { ObjectStorage } from "../storage/types";
import type { ConnectionCredentialsCache } from "../sync/connection-credentials";
import { DEFAULT_RENDITION_GRACE_MS, type Evaluation, evaluateAsset } from "../sync/evaluate-asset";
import { parseFileFilters } from "../sync/filters";
import { decideTransition } from "../sync/object-transitions";
import { type ObjectChange, type ObjectRow, writeObjectChange } from "../sync/object-writes";
import { renditionRecord } from "../sync/rendition-record";
import { assetIdFromSourcePath } from "../sync/settings";
import { DOWNLOAD_JOB } from "./download";

export const INGEST_JOB = "ingest";

export type IngestTrigger = "webhook" | "poll" | "trigger";

export type IngestInput = {
  syncId: string;
  assetId: string;
  via: IngestTrigger;
  /** The reconciliation run that enqueued this job, for its counters. */
  runId?: string;
  /**
   * Set by passes after the initial one: finding work then means a webhook was missed. (An
   * initial pass discovers the existing library by design; that is not a repair.)
   */
  repairs?: boolean;
  /** The asset as a listing showed it moments ago; used instead of a GET while fresh. */
  snapshot?: unknown;
  snapshotAt?: number;
};

/** A listing this recent is as good as a GET: Mux is the source either way. */
export const SNAPSHOT_MAX_AGE_MS = 60_000;

/** States that end an object's journey for now; a poll that reaches one repaired what webhooks missed. */
const SETTLED = new Set(["ready", "delivered", "skipped", "deleted"]);

export type IngestServices = {
  database: Database;
  jobs: JobStore;
  clock: Clock;
  logger: Logger;
  credentials: ConnectionCredentialsCache;
  streamBaseUrl: string;
  /** Used when a bucket has no pipeline URL of its own; null: objects stop at `ready`. */
  defaultPipelineUrl: string | null;
  renditionGraceMs?: number;
  /** Where renditions are downloaded before delivery; absent: deliver the stream URL. */
  storage?: ObjectStorage | null;
  /** Token lifetime for signed probes and downloads. */
  signedUrlTtlSeconds?: number;
  /** A download that receives nothing for this long is abandoned and retried (default 30 s). */
  downloadStallTimeoutMs?: number;
  fetch?: typeof fetch;
};

export type IngestOutcome =
  | { kind: "written"; state: string }
  | { kind: "unchanged"; state: string }
  | { kind: "ignored"; why: string };

export function ingestJobKey(syncId: string, assetId: string): string {
  return `ingest:${syncId}:${assetId}`;
}

export async function ingestAsset(services: IngestServices, input: IngestInput): Promise<IngestOutcome> {
  const { db } = services.database;
  const sync = await db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!sync) return { kind: "ignored", why: "the sync no longer exists" };
  if (sync.status === "paused") return { kind: "ignored", why: "the sync is paused" };
  const onlyAsset = assetIdFromSourcePath(sync.sourcePath);
  if (onlyAsset && onlyAsset !== input.assetId)
    return { kind: "ignored", why: "outside the sync's source_path" };

  const existing =
    (await db
      .select()
      .from(objects)
      .where(and(eq(objects.bucketId, sync.bucketId), eq(objects.assetId, input.assetId)))
      .get()) ?? null;

  const { asset, fromSnapshot } = await readAsset(services, sync.connectionId, input);

  if (!asset) return recordDeletion(services, sync, existing, input);

  if (sync.syncMode === "initial_only" && !existing && isAfterSnapshot(asset, sync.snapshotAt)) {
    return { kind: "ignored", why: "created after the initial_only snapshot" };
  }

  const now = services.clock.now();
  const credentials = await services.credentials.get(sync.connectionId);
  const filters = parseFileFilters(sync.fileFilters);
  if (!filters.ok) {
    // Filters are validated when saved; a stored value that no longer parses needs a person.
    throw new AppError("CONFIG", `The sync's file_filters are invalid: ${filters.problems.join("; ")}`);
  }
  const evaluation = evaluateAsset(asset, {
    filters: filters.value,
    renditionPreference: sync.renditionPreference ?? null,
    hasSigningKey: Boolean(credentials.signingKeyId && credentials.signingPrivateKey),
    now,
    waitingSince: existing?.waitingSince ?? null,
    renditionGraceMs: services.renditionGraceMs ?? DEFAULT_RENDITION_GRACE_MS,
  });
  if (fromSnapshot && evaluation.state === "skipped" && evaluation.reason === "no_static_renditions") {
    // Giving up on an asset's MP4s is decided on a fresh read: a listing taken before its MP4s
    // were made, judged after the grace period, used to skip an asset that had them by then.
    return ingestAsset(services, { ...input, snapshot: undefined, snapshotAt: undefined });
  }
  const resolved = await resolveProbe(services, sync.connectionId, evaluation);
  const pipelineUrl = await pipelineUrlFor(services, sync.bucketId);

  let download: RenditionCandidate[] | null = null;
  const change: ObjectChange = {
    bucketId: sync.bucketId,
    syncId: sync.id,
    assetId: asset.id,
    state: resolved.state === "ready" ? "ready" : resolved.state,
    reason: "reason" in resolved ? resolved.reason : null,
    message: "message" in resolved ? resolved.message : null,
    metadata: assetMetadata(asset),
    discoveredVia: input.via,
  };
  if (resolved.state === "ready") {
    const first = resolved.candidates[0];
    if (!first) throw new AppError("INTERNAL", "A ready evaluation must carry a rendition");
    change.playbackId = resolved.playback.id;
    change.playbackPolicy = resolved.playback.policy;
    change.rendition = renditionRecord(services.streamBaseUrl, resolved.playback.id, first);
    change.message = `MP4 rendition ${first.name} is available`;
    if (services.storage) {
      change.message += "; downloading";
      download = resolved.candidates;
    } else if (pipelineUrl) {
      change.deliver = "object.ready";
    }
  }
  if (resolved.state === "waiting_for_rendition") change.waitingSince = existing?.waitingSince ?? now;

  return applyChange(services, existing, change, input, download);
}

async function readAsset(
  services: IngestServices,
  connectionId: string,
  input: IngestInput,
): Promise<{ asset: MuxAsset | null; fromSnapshot: boolean }> {
  const age =
    input.snapshotAt === undefined ? Number.POSITIVE_INFINITY : services.clock.now() - input.snapshotAt;
  if (input.snapshot && age <= SNAPSHOT_MAX_AGE_MS) {
    const parsed = muxAssetSchema.safeParse(input.snapshot);
    if (parsed.success) return { asset: parsed.data, fromSnapshot: true };
  }
  const api = await services.credentials.api(connectionId);
  const asset = await api.retrieveAsset(input.assetId);
  if (input.runId) {
    await services.database.db
      .update(runs)
      .set({ apiCalls: sql`${runs.apiCalls} + 1` })
      .where(eq(runs.id, input.runId));
  }
  return { asset, fromSnapshot: false };
}

async function applyChange(
  services: IngestServices,
  existing: ObjectRow | null,
  change: ObjectChange,
  input: IngestInput,
  download: RenditionCandidate[] | null = null,
): Promise<IngestOutcome> {
  const decision = decideTransition(existing, change);
  if (decision !== "apply") return { kind: "unchanged", state: existing?.state ?? change.state };
  const repaired =
    input.via === "poll" && input.repairs === true && input.runId !== undefined && SETTLED.has(change.state);
  const runId = input.runId ?? "";
  const result = await writeObjectChange(services, existing, change, (won, written) => [
    ...(repaired ? [sql`UPDATE runs SET repaired = repaired + 1 WHERE id = ${runId}`] : []),
    // The download is part of the same outbox write as the state change that asks for it.
    ...(download
      ? [
          services.jobs.enqueueStatement(
            {
              type: DOWNLOAD_JOB,
              key: `download:${written.objectId}`,
              payload: { objectId: written.objectId, version: written.version, candidates: download },
            },
            { onlyIf: won },
          ),
        ]
      : []),
  ]);
  if (!result.written) {
    // Another writer changed the object between our read and our write: run again on fresh data.
    throw new AppError("CONFLICT", `Object for asset ${change.assetId} changed concurrently`, {
      retryable: true,
    });
  }
  if (repaired) {
    // Every repair is a webhook that never arrived (or arrived and was lost): worth a warning.
    services.logger.warn("Reconciliation repaired an asset the webhooks missed", {
      asset_id: change.assetId,
      run_id: runId,
      state: change.state,
    });
  }
  services.logger.info("Object state changed", {
    asset_id: change.assetId,
    bucket_id: change.bucketId,
    from: existing?.state ?? null,
    to: change.state,
    reason: change.reason,
  });
  return { kind: "written", state: change.state };
}

async function recordDeletion(
  services: IngestServices,
  sync: typeof syncs.$inferSelect,
  existing: ObjectRow | null,
  input: IngestInput,
): Promise<IngestOutcome> {
  if (!existing) return { kind: "ignored", why: "the asset does not exist in Mux" };
  // Idempotent, so a retried job purges again safely.
  await services.storage?.deletePrefix(storagePrefix(sync.bucketId, input.assetId));
  const pipelineUrl = await pipelineUrlFor(services, sync.bucketId);
  return applyChange(
    services,
    existing,
    {
      bucketId: sync.bucketId,
      syncId: sync.id,
      assetId: input.assetId,
      state: "deleted",
      reason: "deleted_in_mux",
      message: "The asset was deleted in Mux",
      discoveredVia: input.via,
      // Only tell the pipeline about objects it was told about.
      deliver: pipelineUrl && existing.state === "delivered" ? "object.deleted" : undefined,
    },
    input,
  );
}

/** Turns a `probe` evaluation into `ready` (first name that answers) or `waiting_for_rendition`. */
async function resolveProbe(
  services: IngestServices,
  connectionId: string,
  evaluation: Evaluation,
): Promise<Exclude<Evaluation, { state: "probe" }>> {
  if (evaluation.state !== "probe") return evaluation;
  const token =
    evaluation.playback.policy === "signed"
      ? await (await services.credentials.api(connectionId)).signPlaybackId(
          evaluation.playback.id,
          services.signedUrlTtlSeconds ?? 6 * 3600,
        )
      : null;
  const name = await probeRenditions({
    names: evaluation.names,
    streamBaseUrl: services.streamBaseUrl,
    playbackId: evaluation.playback.id,
    token,
    fetch: services.fetch,
  });
  if (!name)
    return { state: "waiting_for_rendition", message: "No MP4 rendition answered on the stream host yet" };
  return {
    state: "ready",
    playback: evaluation.playback,
    candidates: [{ name, width: null, height: null, bitrate: null, filesize: null }],
  };
}

export async function pipelineUrlFor(services: IngestServices, bucketId: string): Promise<string | null> {
  const bucket = await services.database.db
    .select({ pipelineUrl: buckets.pipelineUrl })
    .from(buckets)
    .where(eq(buckets.id, bucketId))
    .get();
  return bucket?.pipelineUrl ?? services.defaultPipelineUrl;
}

function isAfterSnapshot(asset: MuxAsset, snapshotAt: number | null): boolean {
  if (snapshotAt === null || asset.created_at === null) return false;
  return asset.created_at * 1000 > snapshotAt;
}

export function assetMetadata(asset: MuxAsset): ObjectMetadata {
  return {
    title: asset.meta?.title ?? null,
    passthrough: asset.passthrough ?? null,
    creator_id: asset.meta?.creator_id ?? null,
    external_id: asset.meta?.external_id ?? null,
    duration: asset.duration ?? null,
    aspect_ratio: asset.aspect_ratio ?? null,
    resolution_tier: asset.resolution_tier ?? null,
    created_at: asset.created_at === null ? null : new Date(asset.created_at * 1000).toISOString(),
  };
}
