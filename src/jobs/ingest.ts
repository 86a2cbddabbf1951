/**
 * The ingest job: one asset in one sync, whatever triggered it (webhook, poll, manual trigger).
 * It re-reads the asset from Mux, because webhooks are unordered and may be partial, applies the
 * gates, and records the outcome; a change the pipeline must hear about goes out through the
 * outbox in the same write.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { type ObjectRow, objects, syncs, TRIGGERS } from "../db/schema";
import { AppError, attempts, describeError } from "../lib/errors";
import type { RenditionCandidate } from "../mux/renditions";
import { type MuxAsset, muxAssetSchema } from "../mux/schemas";
import { storagePrefix } from "../storage/keys";
import { assetMetadata } from "../sync/asset-metadata";
import type { Deps } from "../sync/deps";
import { evaluateAsset } from "../sync/evaluate-asset";
import { parseFileFilters } from "../sync/filters";
import { decideTransition } from "../sync/object-transitions";
import {
  commitObjectWrite,
  type ObjectChange,
  planObjectWrite,
  writeObjectChange,
} from "../sync/object-writes";
import { pipelineUrlFor } from "../sync/pipeline-url";
import { renditionRecord } from "../sync/rendition-record";
import { resolveProbe } from "../sync/resolve-probe";
import { countApiCall, countRepair } from "../sync/run-record";
import { assetIdFromSourcePath } from "../sync/settings";
import { outboxStatements } from "./deliver";
import { downloadJob } from "./download";
import { defineJob } from "./job-type";

const ingestPayload = z.object({
  syncId: z.string(),
  assetId: z.string(),
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

/** States that end an object's journey for now; a poll that reaches one repaired what webhooks missed. */
const SETTLED = new Set(["ready", "delivered", "skipped", "deleted"]);

export type IngestOutcome =
  | { kind: "written"; state: string }
  | { kind: "unchanged"; state: string }
  | { kind: "ignored"; why: string };

type SyncRow = typeof syncs.$inferSelect;

export async function ingestAsset(deps: Deps, input: IngestInput): Promise<IngestOutcome> {
  const { db } = deps.database;
  const sync = await db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!sync) return { kind: "ignored", why: "the sync no longer exists" };
  if (sync.status === "paused") return { kind: "ignored", why: "the sync is paused" };
  const onlyAsset = assetIdFromSourcePath(sync.sourcePath);
  if (onlyAsset && onlyAsset !== input.assetId)
    return { kind: "ignored", why: "outside the sync's source_path" };

  const existing = await findObject(deps, sync.bucketId, input.assetId);
  const { asset, fromSnapshot } = await readAsset(deps, sync.connectionId, input);
  if (!asset) return recordDeletion(deps, sync, existing, input);

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
  const evaluation = evaluateAsset(asset, {
    filters: filters.value,
    renditionPreference: sync.renditionPreference ?? null,
    hasSigningKey: Boolean(credentials.signingKeyId && credentials.signingPrivateKey),
    now,
    waitingSince: existing?.waitingSince ?? null,
    renditionGraceMs: deps.ingest.renditionGraceMs,
  });
  if (fromSnapshot && evaluation.state === "skipped" && evaluation.reason === "no_static_renditions") {
    // Giving up on an asset's MP4s is decided on a fresh read: a listing taken before its MP4s
    // were made, judged after the grace period, would skip an asset that has them by now.
    return ingestAsset(deps, { ...input, snapshot: undefined, snapshotAt: undefined });
  }
  const resolved = await resolveProbe(deps, sync.connectionId, evaluation);

  let download: RenditionCandidate[] | null = null;
  let deliver = false;
  const change: ObjectChange = {
    bucketId: sync.bucketId,
    syncId: sync.id,
    assetId: asset.id,
    state: resolved.state,
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
    change.rendition = renditionRecord(deps.stream.baseUrl, resolved.playback.id, first);
    change.message = `MP4 rendition ${first.name} is available`;
    if (deps.storage) {
      change.message += "; downloading";
      download = resolved.candidates;
    } else {
      deliver = (await pipelineUrlFor(deps, sync.bucketId)) !== null;
    }
  }
  if (resolved.state === "waiting_for_rendition") change.waitingSince = existing?.waitingSince ?? now;

  return applyChange(deps, existing, change, input, { download, deliver });
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

type Follow = { download: RenditionCandidate[] | null; deliver: boolean };

async function applyChange(
  deps: Deps,
  existing: ObjectRow | null,
  change: ObjectChange,
  input: IngestInput,
  follow: Follow,
): Promise<IngestOutcome> {
  const decision = decideTransition(existing, change);
  if (decision !== "apply") return { kind: "unchanged", state: existing?.state ?? change.state };
  const repaired =
    input.via === "poll" && input.repairs === true && input.runId !== undefined && SETTLED.has(change.state);
  const write = planObjectWrite(deps, existing, change);
  const alongside = [
    ...(repaired && input.runId ? [countRepair(input.runId, write.won)] : []),
    // The download is part of the same outbox write as the state change that asks for it.
    ...(follow.download
      ? [
          deps.jobs.enqueueStatement(
            downloadJob.request({
              objectId: write.objectId,
              version: write.version,
              candidates: follow.download,
            }),
            { onlyIf: write.won },
          ),
        ]
      : []),
    ...(follow.deliver
      ? outboxStatements(deps, write, change.state === "deleted" ? "object.deleted" : "object.ready")
      : []),
  ];
  const result = await commitObjectWrite(deps, write, alongside);
  if (!result.written) {
    // Another writer changed the object between our read and our write: run again on fresh data.
    throw new AppError("CONFLICT", `Object for asset ${change.assetId} changed concurrently`, {
      retryable: true,
    });
  }
  if (repaired) {
    // Every repair is a webhook that never arrived (or arrived and was lost): worth a warning.
    deps.logger.warn("Reconciliation repaired an asset the webhooks missed", {
      asset_id: change.assetId,
      run_id: input.runId,
      state: change.state,
    });
  }
  deps.logger.info("Object state changed", {
    asset_id: change.assetId,
    bucket_id: change.bucketId,
    from: existing?.state ?? null,
    to: change.state,
    reason: change.reason,
  });
  return { kind: "written", state: change.state };
}

async function recordDeletion(
  deps: Deps,
  sync: SyncRow,
  existing: ObjectRow | null,
  input: IngestInput,
): Promise<IngestOutcome> {
  if (!existing) return { kind: "ignored", why: "the asset does not exist in Mux" };
  // Idempotent, so a retried job purges again safely.
  await deps.storage?.deletePrefix(storagePrefix(sync.bucketId, input.assetId));
  const pipelineUrl = await pipelineUrlFor(deps, sync.bucketId);
  return applyChange(
    deps,
    existing,
    {
      bucketId: sync.bucketId,
      syncId: sync.id,
      assetId: input.assetId,
      state: "deleted",
      reason: "deleted_in_mux",
      message: "The asset was deleted in Mux",
      discoveredVia: input.via,
    },
    input,
    // Only tell the pipeline about objects it was told about.
    { download: null, deliver: pipelineUrl !== null && existing.state === "delivered" },
  );
}

/**
 * A dead ingest job leaves its object `failed` with the last error, so a person sees it (status,
 * dashboard, API) and can retry it. An asset never read still gets an object row, or the failure
 * would be invisible.
 */
async function markIngestFailed(deps: Deps, input: IngestInput, attempt: number, error: unknown) {
  const sync = await deps.database.db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!sync) return;
  const existing = await findObject(deps, sync.bucketId, input.assetId);
  if (existing && (existing.state === "delivered" || existing.state === "deleted")) return;
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
