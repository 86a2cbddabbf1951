/**
 * The download job (when storage is configured): streams the chosen MP4 into storage, then hands
 * the object to the pipeline. It tries the candidates in preference order, as the Mux docs put
 * it, "and uses the first available one": a 403/404/5xx or a short read moves on to the next
 * candidate; a signed URL refused with 403 is re-signed once first, in case its token expired.
 * Only when every candidate fails is the job retried with backoff, and in the end dead-lettered
 * with every candidate's reason.
 */
import { eq } from "drizzle-orm";
import { objects, syncs } from "../db/schema";
import { AppError, attempts, describeError } from "../lib/errors";
import { DEFAULT_STALL_TIMEOUT_MS, StallGuard } from "../lib/stall-guard";
import type { RenditionCandidate } from "../mux/renditions";
import type { ClaimedJob, JobRegistry } from "../queue/types";
import { storagePrefix } from "../storage/keys";
import type { ObjectStorage } from "../storage/types";
import { writeObjectChange } from "../sync/object-writes";
import { renditionRecord } from "../sync/rendition-record";
import type { IngestServices } from "./ingest";

export const DOWNLOAD_JOB = "download";

export type DownloadPayload = { objectId: string; version: number; candidates: RenditionCandidate[] };

export function createDownloadJob(
  services: IngestServices,
  storage: ObjectStorage,
  deliverAfter: (bucketId: string) => Promise<boolean>,
): JobRegistry {
  return {
    [DOWNLOAD_JOB]: {
      handle: (job) => download(services, storage, deliverAfter, job),
      onDead: (job, error) => recordFailedDownload(services, job, error),
    },
  };
}

async function download(
  services: IngestServices,
  storage: ObjectStorage,
  deliverAfter: (bucketId: string) => Promise<boolean>,
  job: ClaimedJob,
): Promise<void> {
  const payload = job.payload as DownloadPayload;
  const { db } = services.database;
  const object = await db.select().from(objects).where(eq(objects.id, payload.objectId)).get();
  // The object moved on (deleted, re-evaluated): this download is no longer wanted.
  if (!object || object.version !== payload.version || object.state !== "ready" || !object.playbackId) return;
  const sync = await db.select().from(syncs).where(eq(syncs.id, object.syncId)).get();
  if (!sync) return;

  const failures: string[] = [];
  for (const candidate of payload.candidates) {
    const record = renditionRecord(services.streamBaseUrl, object.playbackId, candidate);
    try {
      const stored = await fetchIntoStorage(services, storage, {
        url: record.url,
        signed: object.playbackPolicy === "signed",
        playbackId: object.playbackId,
        connectionId: sync.connectionId,
        key: `${storagePrefix(object.bucketId, object.assetId)}${candidate.name}`,
        expectedBytes: candidate.filesize,
      });
      const deliver = await deliverAfter(object.bucketId);
      const result = await writeObjectChange(services, object, {
        bucketId: object.bucketId,
        syncId: object.syncId,
        assetId: object.assetId,
        state: "ready",
        reason: null,
        message: `Downloaded ${candidate.name} (${stored.bytes} bytes)`,
        rendition: { ...record, filesize: stored.bytes, path: stored.location, sha256: stored.sha256 },
        discoveredVia: object.discoveredVia,
        deliver: deliver ? "object.ready" : undefined,
      });
      if (!result.written)
        throw new AppError("CONFLICT", "Object changed during download", { retryable: true });
      services.logger.info("Rendition downloaded", {
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
  throw new AppError("UPSTREAM", `No rendition could be downloaded (${failures.join("; ")})`, {
    retryable: true,
  });
}

type FetchTarget = {
  url: string;
  signed: boolean;
  playbackId: string;
  connectionId: string;
  key: string;
  expectedBytes: number | null;
};

async function fetchIntoStorage(services: IngestServices, storage: ObjectStorage, target: FetchTarget) {
  // Downloads only ever go to the configured stream host, whatever an asset claims.
  if (!target.url.startsWith(`${services.streamBaseUrl}/`)) {
    throw new AppError("FORBIDDEN", `Refusing to download from outside ${services.streamBaseUrl}`);
  }
  const fetcher = services.fetch ?? fetch;
  const guard = new StallGuard(services.downloadStallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
  try {
    return await guardedFetchIntoStorage(services, storage, target, fetcher, guard);
  } finally {
    guard.stop();
  }
}

async function guardedFetchIntoStorage(
  services: IngestServices,
  storage: ObjectStorage,
  target: FetchTarget,
  fetcher: typeof fetch,
  guard: StallGuard,
) {
  const attempt = async () => {
    const url = target.signed ? `${target.url}?token=${await sign(services, target)}` : target.url;
    guard.arm();
    // "manual": a redirect is answered, not followed, and fails below like any non-2xx, so a
    // download never leaves the stream host. (workerd rejects redirect: "error".)
    return fetcher(url, { redirect: "manual", signal: guard.signal });
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
  return storage.put(target.key, guard.watch(response.body), {
    expectedBytes: expected,
    contentType: response.headers.get("content-type") ?? undefined,
  });
}

async function sign(services: IngestServices, target: FetchTarget): Promise<string> {
  const api = await services.credentials.api(target.connectionId);
  return api.signPlaybackId(target.playbackId, services.signedUrlTtlSeconds ?? 6 * 3600);
}

async function recordFailedDownload(
  services: IngestServices,
  job: ClaimedJob,
  error: unknown,
): Promise<void> {
  const payload = job.payload as DownloadPayload;
  const object = await services.database.db
    .select()
    .from(objects)
    .where(eq(objects.id, payload.objectId))
    .get();
  if (!object || object.version !== payload.version) return;
  await writeObjectChange(services, object, {
    bucketId: object.bucketId,
    syncId: object.syncId,
    assetId: object.assetId,
    state: "failed",
    reason: "download_failed",
    message: `Download failed after ${attempts(job.attempt)}: ${describeError(error)}`,
    discoveredVia: object.discoveredVia,
  });
}
