/**
 * The download job (when storage is configured): stores the text tracks' files
 * (`download-tracks.ts`), streams the chosen MP4 into storage (unless the object already holds
 * it: only a text track was new), then hands the object to the pipeline. It tries the candidates in preference order, as the Mux docs put
 * it, "and uses the first available one": a 403/404/5xx or a short read moves on to the next
 * candidate; a signed URL refused with 403 is re-signed once first, in case its token expired.
 * Only when every candidate fails is the job retried with backoff, and in the end dead-lettered
 * with every candidate's reason.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { RenditionRecord, TrackRecord } from "../db/documents";
import { buckets, type ObjectRow, objects, syncs } from "../db/schema";
import { AppError, attempts, describeError } from "../lib/errors";
import { StallGuard } from "../lib/stall-guard";
import { streamUrl } from "../mux/stream";
import type { ObjectFile } from "../storage/keys";
import type { ObjectStorage } from "../storage/types";
import type { Deps } from "../sync/deps";
import { announcementOf } from "../sync/object-transitions";
import { commitObjectWrite, planObjectWrite, writeObjectChange } from "../sync/object-writes";
import { pipelineUrlFor } from "../sync/pipeline-url";
import { pipelineViewKey, rowView } from "../sync/pipeline-view";
import { playbackToken } from "../sync/playback-token";
import { renditionRecord } from "../sync/rendition-record";
import { outboxStatements } from "./deliver";
import { storeTrackFiles } from "./download-tracks";
import { defineJob } from "./job-type";

const candidateSchema = z.object({
  name: z.string(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  bitrate: z.number().nullable(),
  filesize: z.number().nullable(),
});

const downloadPayload = z.object({
  objectId: z.string(),
  /** The object version that asked for this download; a newer one makes it moot. */
  version: z.number(),
  candidates: z.array(candidateSchema),
});
type DownloadInput = z.output<typeof downloadPayload>;

export const downloadJob = defineJob({
  type: "download",
  payload: downloadPayload,
  key: ({ objectId }) => `download:${objectId}`,
  handle: (deps, payload) => download(deps, payload),
  onDead: (deps, payload, job, error) => recordFailedDownload(deps, payload, job.attempt, error),
});

async function download(deps: Deps, payload: DownloadInput): Promise<void> {
  const storage = deps.storage;
  if (!storage) {
    throw new AppError("CONFIG", "A download was queued but no storage is configured (STORAGE_DIR or R2)");
  }
  const { db } = deps.database;
  const object = await db.select().from(objects).where(eq(objects.id, payload.objectId)).get();
  // The object moved on (deleted, re-evaluated): this download is no longer wanted.
  if (!object || object.version !== payload.version || object.state !== "ready" || !object.playbackId) return;
  const sync = await db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync) return;
  const playbackId = object.playbackId;
  // The small files first: a failure retries the job before the MP4 is fetched.
  const tracks = await storeTrackFiles(deps, storage, object, sync.connectionId).catch(async (err) => {
    if (await removeIfOrphaned(deps, storage, object)) return undefined;
    throw err;
  });
  if (tracks === undefined) return;
  if (object.rendition?.path !== undefined) {
    await recordStored(deps, storage, object, object.rendition, tracks, "Stored the text tracks' files");
    return;
  }

  const failures: string[] = [];
  for (const candidate of payload.candidates) {
    const record = renditionRecord(deps.stream.baseUrl, playbackId, candidate);
    try {
      const stored = await fetchIntoStorage(deps, storage, {
        name: candidate.name,
        signed: object.playbackPolicy === "signed",
        playbackId,
        connectionId: sync.connectionId,
        file: { bucketId: object.bucketId, assetId: object.assetId, name: candidate.name },
        expectedBytes: candidate.filesize,
      });
      const rendition = { ...record, filesize: stored.bytes, path: stored.location, sha256: stored.sha256 };
      const message = `Downloaded ${candidate.name} (${stored.bytes} bytes)`;
      if (!(await recordStored(deps, storage, object, rendition, tracks, message))) return;
      deps.logger.info("Rendition downloaded", {
        asset_id: object.assetId,
        name: candidate.name,
        bytes: stored.bytes,
        fallbacks: failures.length,
      });
      return;
    } catch (err) {
      if (err instanceof AppError && err.code === "CONFLICT") throw err;
      failures.push(`${candidate.name}: ${describeError(err)}`);
    }
  }
  if (await removeIfOrphaned(deps, storage, object)) return;
  throw new AppError("UPSTREAM", `No rendition could be downloaded (${failures.join("; ")})`, {
    retryable: true,
  });
}

/**
 * The object with its stored files, announced to the pipeline when it has one, in one write.
 * False when the object is gone meanwhile (its files are then removed); a conflict is retried.
 */
async function recordStored(
  deps: Deps,
  storage: ObjectStorage,
  object: ObjectRow,
  rendition: RenditionRecord,
  tracks: TrackRecord[] | null,
  message: string,
): Promise<boolean> {
  const announce = (await pipelineUrlFor(deps, object.bucketId)) !== null ? announcementOf(object) : null;
  const write = planObjectWrite(deps, object, {
    bucketId: object.bucketId,
    syncId: object.syncId,
    assetId: object.assetId,
    state: "ready",
    reason: null,
    message,
    rendition,
    tracks,
    discoveredVia: object.discoveredVia,
    ...(announce ? { announcedView: pipelineViewKey(rowView({ ...object, rendition, tracks })) } : {}),
  });
  const result = await commitObjectWrite(
    deps,
    write,
    announce ? outboxStatements(deps, write, announce.type) : [],
  );
  if (result.written) return true;
  if (await removeIfOrphaned(deps, storage, object)) return false;
  throw new AppError("CONFLICT", "Object changed during download", { retryable: true });
}

/**
 * A download writes its file before its row, so a bucket deleted (or an asset deleted in Mux)
 * meanwhile would keep a file no row names. Checked after the download's last write to storage:
 * when the object is gone or deleted, its folder (its bucket's, when that is gone) is removed
 * and the download ends. The deletion removes the folder itself too, after its rows are gone, so
 * whichever comes last leaves nothing behind. A different object now holding the same asset
 * owns the folder and keeps it.
 */
async function removeIfOrphaned(deps: Deps, storage: ObjectStorage, object: ObjectRow): Promise<boolean> {
  const current = await deps.database.db
    .select({ id: objects.id, state: objects.state })
    .from(objects)
    .where(and(eq(objects.bucketId, object.bucketId), eq(objects.assetId, object.assetId)))
    .get();
  if (current && (current.id !== object.id || current.state !== "deleted")) return false;
  const bucket = await deps.database.db
    .select({ id: buckets.id })
    .from(buckets)
    .where(eq(buckets.id, object.bucketId))
    .get();
  // A bucket that is gone keeps no folder at all; otherwise only this object's folder goes.
  if (bucket) await storage.deleteObjectFiles(object.bucketId, object.assetId);
  else await storage.deleteBucketFiles(object.bucketId);
  deps.logger.info("Download outlived its object; its files are removed", {
    asset_id: object.assetId,
    bucket_id: object.bucketId,
  });
  return true;
}

type FetchTarget = {
  name: string;
  signed: boolean;
  playbackId: string;
  connectionId: string;
  file: ObjectFile;
  expectedBytes: number | null;
};

async function fetchIntoStorage(deps: Deps, storage: ObjectStorage, target: FetchTarget) {
  const guard = new StallGuard(deps.stream.downloadStallTimeoutMs);
  try {
    return await guardedFetchIntoStorage(deps, storage, target, guard);
  } finally {
    guard.stop();
  }
}

async function guardedFetchIntoStorage(
  deps: Deps,
  storage: ObjectStorage,
  target: FetchTarget,
  guard: StallGuard,
) {
  const attempt = async () => {
    const token = target.signed ? await playbackToken(deps, target.connectionId, target.playbackId) : null;
    const url = streamUrl({
      baseUrl: deps.stream.baseUrl,
      playbackId: target.playbackId,
      name: target.name,
      token,
    });
    // Downloads only ever go to the configured stream host, whatever an asset claims.
    if (!url.startsWith(`${deps.stream.baseUrl}/`)) {
      throw new AppError("FORBIDDEN", `Refusing to download from outside ${deps.stream.baseUrl}`);
    }
    guard.arm();
    // "manual": a redirect is answered, not followed, and fails below like any non-2xx, so a
    // download never leaves the stream host. (workerd rejects redirect: "error".)
    return deps.fetch(url, { redirect: "manual", signal: guard.signal });
  };
  let response = await attempt();
  if (response.status === 403 && target.signed) {
    await response.body?.cancel();
    response = await attempt();
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new AppError("UPSTREAM", `stream host answered ${response.status}`, { retryable: true });
  }
  const declared = response.headers.get("content-length");
  const expected = target.expectedBytes ?? (declared === null ? null : Number(declared));
  if (declared !== null && target.expectedBytes !== null && Number(declared) !== target.expectedBytes) {
    await response.body.cancel();
    throw new AppError(
      "UPSTREAM",
      `Content-Length ${declared} differs from the asset's filesize ${target.expectedBytes}`,
      { retryable: true },
    );
  }
  return storage.put(target.file, guard.watch(response.body), {
    expectedBytes: expected,
    contentType: response.headers.get("content-type") ?? undefined,
  });
}

async function recordFailedDownload(deps: Deps, payload: DownloadInput, attempt: number, error: unknown) {
  const object = await deps.database.db.select().from(objects).where(eq(objects.id, payload.objectId)).get();
  if (!object || object.version !== payload.version) return;
  await writeObjectChange(deps, object, {
    bucketId: object.bucketId,
    syncId: object.syncId,
    assetId: object.assetId,
    state: "failed",
    reason: "download_failed",
    message: `Download failed after ${attempts(attempt)}: ${describeError(error)}`,
    discoveredVia: object.discoveredVia,
  });
}
