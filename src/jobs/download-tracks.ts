/**
 * The download job's text tracks: each ready text track's WebVTT (and a generated track's
 * transcript) stored beside the MP4, as `{track id}.vtt` / `.txt` in the object's folder (keys
 * through `storage/keys.ts`). The same rules as the MP4: only from the configured stream host,
 * redirects answered and never followed, a signed id's token renewed once on a 403. Each file is
 * read bounded (`TEXT_TRACK_MAX_BYTES`). A file the host does not have (404, 410: the track went
 * meanwhile, or Mux makes no transcript of it) or one larger than the bound is left unstored,
 * with a warning, and the pipeline still gets its URL: a caption never holds back the MP4. Any
 * other failure fails the download, which is retried.
 */
import type { TextTrackRecord, TrackRecord } from "../db/documents";
import type { ObjectRow } from "../db/schema";
import { readBounded } from "../lib/bounded-body";
import { AppError } from "../lib/errors";
import { isTrackFileName } from "../mux/ids";
import { type TextTrackFormat, textTrackUrl } from "../mux/stream";
import type { ObjectStorage } from "../storage/types";
import type { Deps } from "../sync/deps";
import { playbackToken } from "../sync/playback-token";
import { hasTranscript } from "../sync/track-records";

/** Far above any caption file (a 12-hour asset's WebVTT is a few MiB); read into memory whole. */
export const TEXT_TRACK_MAX_BYTES = 16 * 1024 * 1024;

type TrackSource = Pick<ObjectRow, "bucketId" | "assetId" | "playbackId" | "playbackPolicy" | "tracks">;

/** The object's tracks with every text track's files stored (those already stored are kept). */
export async function storeTrackFiles(
  deps: Deps,
  storage: ObjectStorage,
  object: TrackSource,
  connectionId: string,
): Promise<TrackRecord[] | null> {
  const { tracks, playbackId } = object;
  if (!tracks || !playbackId) return tracks;
  const stored: TrackRecord[] = [];
  for (const track of tracks) {
    if (track.type !== "text") {
      stored.push(track);
      continue;
    }
    const store = (format: TextTrackFormat) =>
      storeTrackFile(deps, storage, { ...object, playbackId }, connectionId, track, format);
    const path = track.path ?? (await store("vtt"));
    const transcript = hasTranscript(track) ? (track.transcript_path ?? (await store("txt"))) : undefined;
    stored.push({
      ...track,
      ...(path !== undefined && { path }),
      ...(transcript !== undefined && { transcript_path: transcript }),
    });
  }
  return stored;
}

async function storeTrackFile(
  deps: Deps,
  storage: ObjectStorage,
  object: TrackSource & { playbackId: string },
  connectionId: string,
  track: TextTrackRecord,
  format: TextTrackFormat,
): Promise<string | undefined> {
  const name = `${track.id}.${format}`;
  // A track id too long for a file name: the pipeline still has the URL.
  if (!isTrackFileName(name)) return undefined;
  const fetchOnce = async () => {
    const token =
      object.playbackPolicy === "signed" ? await playbackToken(deps, connectionId, object.playbackId) : null;
    const url = textTrackUrl({
      baseUrl: deps.stream.baseUrl,
      playbackId: object.playbackId,
      trackId: track.id,
      format,
      token,
    });
    if (!url.startsWith(`${deps.stream.baseUrl}/`)) {
      throw new AppError("FORBIDDEN", `Refusing to download from outside ${deps.stream.baseUrl}`);
    }
    return deps.fetch(url, {
      redirect: "manual",
      signal: AbortSignal.timeout(deps.stream.downloadStallTimeoutMs),
    });
  };
  let response = await fetchOnce();
  if (response.status === 403 && object.playbackPolicy === "signed") {
    await response.body?.cancel();
    response = await fetchOnce();
  }
  const unstored = (why: string, fields: Record<string, unknown>) => {
    deps.logger.warn(`A text track's file is left unstored: ${why}`, {
      asset_id: object.assetId,
      track_id: track.id,
      file: name,
      ...fields,
    });
    return undefined;
  };
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return unstored("the stream host does not have it", { status: response.status });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError("UPSTREAM", `${name}: stream host answered ${response.status}`, { retryable: true });
  }
  const { bytes, truncated } = await readBounded(response, TEXT_TRACK_MAX_BYTES);
  if (truncated) return unstored("it is larger than the bound", { bound_bytes: TEXT_TRACK_MAX_BYTES });
  const body = new Blob([bytes]).stream();
  const saved = await storage.put({ bucketId: object.bucketId, assetId: object.assetId, name }, body, {
    expectedBytes: bytes.byteLength,
    contentType: format === "vtt" ? "text/vtt" : "text/plain; charset=utf-8",
  });
  return saved.location;
}
