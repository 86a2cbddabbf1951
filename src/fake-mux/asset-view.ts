/**
 * How an asset looks on each channel. REST and webhooks carry the same asset with different
 * types, as Mux sends them: `created_at` is a numeric string over REST and a number in
 * webhooks; `filesize` is a string over REST and a number in webhooks.
 */
import type { AssetRecord, RenditionFile, TextTrack } from "./asset-record";
import { aspectRatioOf, maxStoredResolutionOf } from "./renditions";
import type { FakeAsset, FakeTrack, RestStaticRenditionFile } from "./types";

function progressOf(record: AssetRecord): FakeAsset["progress"] {
  if (record.status === "ready" && record.live?.active) return { state: "live", progress: -1 };
  if (record.status === "ready") return { state: "completed", progress: 100 };
  if (record.status === "errored") return { state: "errored", progress: -1 };
  return { state: "ingesting", progress: 0 };
}

function tracksOf(record: AssetRecord): FakeTrack[] {
  const tracks: FakeTrack[] = [];
  const { source, stored } = record;
  if (stored) {
    tracks.push({
      id: record.trackIds.video,
      type: "video",
      status: "ready",
      duration: source.duration,
      max_width: stored.width,
      max_height: stored.height,
      max_frame_rate: source.frameRate,
    });
  }
  if (source.hasAudio) {
    tracks.push({
      id: record.trackIds.audio,
      type: "audio",
      status: "ready",
      duration: source.duration,
      max_channels: 2,
      max_channel_layout: "stereo",
      primary: true,
    });
  }
  for (const track of record.textTracks) tracks.push(textTrackView(track));
  return tracks;
}

/** A text track as `tracks[]` lists it (`status: "deleted"` only in its deletion event). */
export function textTrackView(track: TextTrack, status: FakeTrack["status"] = track.status): FakeTrack {
  return {
    id: track.id,
    type: "text",
    text_type: "subtitles",
    text_source: track.textSource,
    language_code: track.languageCode,
    name: track.name,
    closed_captions: track.closedCaptions,
    status,
  };
}

/** A track event's `data`: the track plus `asset_id` (track events do not carry the asset). */
export function webhookTrackView(
  record: AssetRecord,
  track: TextTrack,
  status: FakeTrack["status"] = track.status,
): Record<string, unknown> {
  return { ...textTrackView(track, status), asset_id: record.id };
}

/** A file as it appears in `static_renditions.files[]`. */
export function renditionFileView(record: AssetRecord, file: RenditionFile): RestStaticRenditionFile {
  const finished = file.status === "ready";
  if (record.flavour.kind === "legacy") {
    // Legacy files carry no id and no status: only the aggregate status counts.
    return {
      name: file.name,
      ext: file.ext,
      ...(file.width !== undefined && { width: file.width, height: file.height }),
      bitrate: file.bitrate,
      filesize: String(file.filesize),
    };
  }
  return {
    ...(file.id !== undefined && { id: file.id }),
    type: file.type,
    status: file.status,
    resolution: file.resolution,
    resolution_tier: file.resolutionTier,
    name: file.name,
    ext: file.ext,
    ...(file.passthrough !== undefined && { passthrough: file.passthrough }),
    ...(finished && {
      ...(file.width !== undefined && { width: file.width, height: file.height }),
      bitrate: file.bitrate,
      filesize: String(file.filesize),
    }),
  };
}

function staticRenditionsOf(record: AssetRecord): FakeAsset["static_renditions"] {
  const { flavour } = record;
  if (flavour.kind === "api") return { files: record.files.map((f) => renditionFileView(record, f)) };
  if (flavour.kind === "legacy" && flavour.status) {
    if (flavour.status !== "ready") return { status: flavour.status };
    return { status: "ready", files: record.files.map((f) => renditionFileView(record, f)) };
  }
  return undefined;
}

/** `is_live`, `live_stream_id` and, once the stream completed, `recording_times`. */
function liveFieldsOf(record: AssetRecord): Partial<FakeAsset> {
  const { live } = record;
  if (!live) return {};
  return {
    is_live: live.active,
    live_stream_id: live.streamId,
    ...(!live.active && {
      recording_times: [
        {
          started_at: new Date(live.startedAtMs).toISOString(),
          duration: record.source.duration,
          type: "content",
        },
      ],
    }),
  };
}

/** The asset as `GET /video/v1/assets/:id` returns it under `data`. */
export function restAssetView(record: AssetRecord): FakeAsset {
  const ready = record.status === "ready";
  const live = record.live?.active === true;
  const staticRenditions = staticRenditionsOf(record);
  return {
    id: record.id,
    created_at: String(Math.floor(record.createdAtMs / 1000)),
    status: record.status,
    progress: progressOf(record),
    master_access: "none",
    max_resolution_tier: record.maxResolutionTier,
    encoding_tier: record.videoQuality === "basic" ? "baseline" : "smart",
    video_quality: record.videoQuality,
    ingest_type: record.live ? "live_rtmp" : "on_demand_url",
    ...(record.playbackIds.length > 0 && { playback_ids: record.playbackIds.map((p) => ({ ...p })) }),
    ...(record.flavour.kind === "legacy" && { mp4_support: record.flavour.mp4Support }),
    ...(staticRenditions && { static_renditions: staticRenditions }),
    ...(record.passthrough !== undefined && { passthrough: record.passthrough }),
    ...(record.meta && { meta: { ...record.meta } }),
    ...(ready && {
      // A stream still being recorded has no final duration yet.
      ...(!live && { duration: record.source.duration }),
      ...(record.stored && { aspect_ratio: aspectRatioOf(record.stored) }),
      resolution_tier: record.resolutionTier,
      max_stored_resolution: maxStoredResolutionOf(record.stored),
      max_stored_frame_rate: record.stored ? record.source.frameRate : -1,
      tracks: tracksOf(record),
    }),
    ...(record.status === "errored" && record.errors && { errors: { ...record.errors } }),
    ...(record.test && { test: true }),
    ...liveFieldsOf(record),
  };
}

/** The asset as a webhook's `data`: numeric `created_at` and `filesize`. */
export function webhookAssetView(record: AssetRecord): Record<string, unknown> {
  const rest = restAssetView(record);
  const files = rest.static_renditions?.files?.map((f) => ({
    ...f,
    ...(f.filesize !== undefined && { filesize: Number(f.filesize) }),
  }));
  return {
    ...rest,
    created_at: Math.floor(record.createdAtMs / 1000),
    ...(rest.static_renditions && {
      static_renditions: { ...rest.static_renditions, ...(files && { files }) },
    }),
  };
}

/** A per-file Static Renditions API event's `data`: the file plus `asset_id`. */
export function webhookRenditionView(record: AssetRecord, file: RenditionFile): Record<string, unknown> {
  const view = renditionFileView(record, file);
  return {
    ...view,
    ...(view.filesize !== undefined && { filesize: Number(view.filesize) }),
    asset_id: record.id,
  };
}
