/** Turns an `AssetSpec` into a record with Mux-like ids, defaults and a rendition plan. */
import type { AssetRecord, RenditionFile, RenditionFlavour, SourceMedia, TextTrack } from "./asset-record";
import type { Random } from "./random";
import { muxId } from "./random";
import { planApiFile, planLegacyFiles, resolutionTierOf, storedSize } from "./renditions";
import type { AssetSpec, TextTrackSpec } from "./types";

export const DEFAULT_ERRORS = {
  type: "invalid_input",
  messages: ["The video file could not be processed: no video or audio stream was found in the input."],
};

function sourceOf(spec: AssetSpec): SourceMedia {
  const hasVideo = spec.hasVideo ?? true;
  return {
    hasVideo,
    hasAudio: spec.hasAudio ?? true,
    width: hasVideo ? (spec.width ?? 1920) : 0,
    height: hasVideo ? (spec.height ?? 1080) : 0,
    duration: spec.duration ?? 30,
    frameRate: spec.frameRate ?? 30,
  };
}

/** A text track as asked for, `preparing` until the lifecycle makes it ready. */
export function textTrackOf(spec: TextTrackSpec, newId: () => string): TextTrack {
  const textSource = spec.textSource ?? "uploaded";
  return {
    id: spec.id ?? newId(),
    textSource,
    languageCode: spec.languageCode ?? "en",
    name: spec.name ?? (textSource === "generated_vod" ? "English (generated)" : "English"),
    closedCaptions: spec.closedCaptions ?? false,
    status: "preparing",
    ...(spec.readyAfterMs !== undefined && { readyAfterMs: spec.readyAfterMs }),
  };
}

export function validateSpec(spec: AssetSpec): string | null {
  if (spec.mp4Support && spec.mp4Support !== "none" && spec.staticRenditions?.length) {
    return "mp4_support and static_renditions cannot be used together";
  }
  if (spec.hasVideo === false && spec.hasAudio === false) return "an asset needs a video or an audio track";
  const { width, height, duration } = spec;
  for (const [name, value] of Object.entries({ width, height, duration })) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      return `${name} must be a positive number`;
  }
  return null;
}

/**
 * Builds the record in its starting state. `status: "ready"` / `"errored"` make an asset that
 * finished before anyone watched (no webhooks); the default `preparing` starts the lifecycle.
 */
export function buildRecord(
  spec: AssetSpec,
  random: Random,
  seq: number,
  nowMs: number,
  isTaken: (id: string) => boolean,
): AssetRecord {
  // Replaying a seed (a second library with the same seed) must not reuse ids.
  const freshId = (): string => {
    for (;;) {
      const id = muxId(random, 44);
      if (!isTaken(id)) return id;
    }
  };
  const source = sourceOf(spec);
  const maxResolutionTier = spec.maxResolutionTier ?? "1080p";
  const stored = storedSize(source, maxResolutionTier);
  const resolutionTier = resolutionTierOf(stored);
  const id = spec.id ?? freshId();
  const playbackIds = (spec.playbackPolicies ?? ["public"]).map((policy) => ({
    id: freshId(),
    policy,
  }));

  let flavour: RenditionFlavour = { kind: "none" };
  let files: RenditionFile[] = [];
  if (spec.staticRenditions?.length) {
    flavour = { kind: "api" };
    const unique = [...new Set(spec.staticRenditions)];
    files = unique.map((resolution) => ({
      ...planApiFile(resolution, source, stored, resolutionTier),
      id: muxId(random, 44),
    }));
  } else if (spec.mp4Support) {
    const planned = planLegacyFiles(spec.mp4Support, source, stored);
    files = planned ?? [];
    flavour = {
      kind: "legacy",
      mp4Support: spec.mp4Support,
      status: spec.mp4Support === "none" ? null : "preparing",
    };
  }

  const renamed = spec.fileNames ?? {};
  files = files.map((file) => ({ ...file, name: renamed[file.name] ?? file.name }));

  const record: AssetRecord = {
    seq,
    id,
    createdAtMs: spec.createdAt ?? nowMs,
    status: "preparing",
    outcome: spec.outcome ?? (spec.status === "errored" ? "errored" : "ready"),
    playbackIds,
    flavour,
    files,
    source,
    stored,
    resolutionTier,
    trackIds: { video: muxId(random, 44), audio: muxId(random, 44) },
    // Drawn last, and only when asked for: assets without text tracks keep the ids they always had.
    textTracks: (spec.textTracks ?? []).map((track) => textTrackOf(track, () => muxId(random, 44))),
    maxResolutionTier,
    videoQuality: spec.videoQuality ?? "plus",
    test: spec.test ?? false,
    ...(spec.passthrough !== undefined && { passthrough: spec.passthrough }),
    ...(spec.meta && { meta: { ...spec.meta } }),
    ...(spec.live && {
      live: {
        streamId: spec.liveStreamId ?? muxId(random, 44),
        active: true,
        startedAtMs: spec.createdAt ?? nowMs,
      },
    }),
  };
  if (record.outcome === "errored") record.errors = spec.errors ?? DEFAULT_ERRORS;
  if (spec.status === "ready" || spec.status === "errored")
    // A live asset's MP4s are only made once its stream completes.
    finishImmediately(record, record.live ? false : (spec.renditionsReady ?? true));
  return record;
}

/** Puts a record straight into its final state, as if it had finished long ago. */
function finishImmediately(record: AssetRecord, renditionsReady: boolean): void {
  if (record.outcome === "errored") {
    record.status = "errored";
    if (record.flavour.kind === "legacy" && record.flavour.status) record.flavour.status = "errored";
    for (const file of record.files) file.status = "errored";
    return;
  }
  record.status = "ready";
  // Ready long ago, unless the spec says when (then the lifecycle makes it ready from now).
  for (const track of record.textTracks) if (track.readyAfterMs === undefined) track.status = "ready";
  if (record.flavour.kind === "api") {
    for (const file of record.files) {
      if (file.outcome === "skipped") file.status = "skipped";
      else if (renditionsReady) file.status = "ready";
    }
  }
  if (record.flavour.kind === "legacy" && record.flavour.status && renditionsReady) {
    record.flavour.status = record.files.length === 0 ? "errored" : "ready";
    for (const file of record.files) file.status = "ready";
  }
}
