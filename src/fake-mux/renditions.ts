/**
 * Which MP4s Mux makes for an asset, with the sizes it would give them. Both flavours:
 * legacy `mp4_support` (thresholds: low always, medium from 640x360, high from 960x540, never
 * upscaled) and the Static Renditions API (one file per requested resolution, `skipped` when it
 * would upscale or when the track it needs is missing).
 */
import type { RenditionFile, SourceMedia } from "./asset-record";
import type { MaxResolutionTier, Mp4Support, ResolutionTier, StaticRenditionResolution } from "./types";

type Size = { width: number; height: number };

const AUDIO_BITRATE = 128_000;
const TIER_BOX: Record<MaxResolutionTier, Size> = {
  "1080p": { width: 1920, height: 1080 },
  "1440p": { width: 2560, height: 1440 },
  "2160p": { width: 3840, height: 2160 },
};
const ADVANCED_HEIGHTS: Partial<Record<StaticRenditionResolution, number>> = {
  "2160p": 2160,
  "1440p": 1440,
  "1080p": 1080,
  "720p": 720,
  "540p": 540,
  "480p": 480,
  "360p": 360,
  "270p": 270,
};

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);
const shortSide = (s: Size): number => Math.min(s.width, s.height);
const longSide = (s: Size): number => Math.max(s.width, s.height);

/** Scales `size` down to fit a landscape box (turned for portrait video); never up. */
export function fitWithin(size: Size, box: Size): Size {
  const portrait = size.height > size.width;
  const boxW = portrait ? box.height : box.width;
  const boxH = portrait ? box.width : box.height;
  const scale = Math.min(1, boxW / size.width, boxH / size.height);
  return { width: even(size.width * scale), height: even(size.height * scale) };
}

/** Legacy thresholds: "either dimension qualifies". */
function reaches(size: Size, box: Size): boolean {
  return longSide(size) >= longSide(box) || shortSide(size) >= shortSide(box);
}

export function storedSize(source: SourceMedia, tier: MaxResolutionTier): Size | null {
  return source.hasVideo ? fitWithin(source, TIER_BOX[tier]) : null;
}

export function resolutionTierOf(stored: Size | null): ResolutionTier {
  if (!stored) return "audio-only";
  const s = shortSide(stored);
  if (s > 1440) return "2160p";
  if (s > 1080) return "1440p";
  if (s > 720) return "1080p";
  return "720p";
}

export function maxStoredResolutionOf(stored: Size | null): "Audio only" | "SD" | "HD" | "FHD" | "UHD" {
  if (!stored) return "Audio only";
  const s = shortSide(stored);
  if (s >= 2160) return "UHD";
  if (s >= 1080) return "FHD";
  if (s >= 720) return "HD";
  return "SD";
}

export function aspectRatioOf(size: Size): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const d = gcd(size.width, size.height);
  return `${size.width / d}:${size.height / d}`;
}

/** Roughly what Mux's encodes weigh: ~2.4 bits per pixel per second plus the audio track. */
function videoBitrate(size: Size, hasAudio: boolean): number {
  return Math.round(size.width * size.height * 2.4) + (hasAudio ? AUDIO_BITRATE : 0);
}

const fileSize = (bitrate: number, duration: number): number =>
  Math.max(1, Math.round((bitrate * duration) / 8));

function videoFile(name: string, size: Size, source: SourceMedia): RenditionFile {
  const bitrate = videoBitrate(size, source.hasAudio);
  return {
    name,
    ext: "mp4",
    width: size.width,
    height: size.height,
    bitrate,
    filesize: fileSize(bitrate, source.duration),
    outcome: "ready",
    status: "preparing",
  };
}

function audioFile(source: SourceMedia): RenditionFile {
  return {
    name: "audio.m4a",
    ext: "m4a",
    bitrate: AUDIO_BITRATE,
    filesize: fileSize(AUDIO_BITRATE, source.duration),
    outcome: "ready",
    status: "preparing",
  };
}

/** Legacy `mp4_support` files, or `null` when Mux would error (audio-only on a video-only asset). */
export function planLegacyFiles(
  mp4Support: Mp4Support,
  source: SourceMedia,
  stored: Size | null,
): RenditionFile[] | null {
  const options = mp4Support.split(",");
  if (mp4Support === "none") return [];
  if (!stored) return source.hasAudio ? [audioFile(source)] : null;
  if (mp4Support === "standard") {
    const files = [videoFile("low.mp4", fitWithin(stored, { width: 640, height: 360 }), source)];
    if (reaches(stored, { width: 640, height: 360 }))
      files.push(videoFile("medium.mp4", fitWithin(stored, { width: 960, height: 540 }), source));
    if (reaches(stored, { width: 960, height: 540 }))
      files.push(videoFile("high.mp4", fitWithin(stored, { width: 1920, height: 1080 }), source));
    return files;
  }
  const files: RenditionFile[] = [];
  if (options.includes("audio-only")) {
    if (source.hasAudio) files.push(audioFile(source));
    else if (!options.includes("capped-1080p")) return null;
  }
  if (options.includes("capped-1080p"))
    files.push(videoFile("capped-1080p.mp4", fitWithin(stored, { width: 1920, height: 1080 }), source));
  return files;
}

function skipped(file: RenditionFile): RenditionFile {
  return {
    name: file.name,
    ext: file.ext,
    bitrate: 0,
    filesize: 0,
    outcome: "skipped",
    status: "preparing",
  };
}

/** One Static Renditions API file; the caller gives it an id. */
export function planApiFile(
  resolution: StaticRenditionResolution,
  source: SourceMedia,
  stored: Size | null,
  assetTier: ResolutionTier,
): RenditionFile {
  if (resolution === "audio-only") {
    const file = {
      ...audioFile(source),
      resolution,
      resolutionTier: "audio-only" as const,
      type: "standard" as const,
    };
    return source.hasAudio
      ? file
      : { ...skipped(file), resolution, resolutionTier: "audio-only", type: "standard" };
  }
  const name = `${resolution}.mp4`;
  if (resolution === "highest") {
    const base = { resolution, type: "standard" as const, resolutionTier: assetTier };
    if (!stored) return { ...skipped(videoFile(name, { width: 2, height: 2 }, source)), ...base };
    return { ...videoFile(name, fitWithin(stored, TIER_BOX["2160p"]), source), ...base };
  }
  const target = ADVANCED_HEIGHTS[resolution] ?? 0;
  const tier: ResolutionTier =
    target > 1440 ? "2160p" : target > 1080 ? "1440p" : target > 720 ? "1080p" : "720p";
  const base = { resolution, type: "advanced" as const, resolutionTier: tier };
  if (!stored || target > shortSide(stored)) {
    return { ...skipped(videoFile(name, { width: 2, height: 2 }, source)), ...base };
  }
  const scale = target / shortSide(stored);
  const size = { width: even(stored.width * scale), height: even(stored.height * scale) };
  return { ...videoFile(name, size, source), ...base };
}
