/** The file names Mux serves static renditions under, in both the legacy and the current API (mux-facts §3.1). */
export const RENDITION_NAMES = [
  "low.mp4",
  "medium.mp4",
  "high.mp4",
  "highest.mp4",
  "capped-1080p.mp4",
  "2160p.mp4",
  "1440p.mp4",
  "1080p.mp4",
  "720p.mp4",
  "540p.mp4",
  "480p.mp4",
  "360p.mp4",
  "270p.mp4",
  "audio.m4a",
] as const;

export const AUDIO_RENDITION = "audio.m4a";

/** `low` → `low.mp4`, `audio` or `audio-only` → `audio.m4a`; a name with an extension is kept. */
export function normaliseRenditionName(value: string): string {
  const v = value.trim();
  if (v === "audio" || v === "audio-only") return AUDIO_RENDITION;
  if (v.includes(".")) return v;
  return `${v}.mp4`;
}

/**
 * What the Static Renditions API makes on request (`createStaticRendition`'s `resolution`,
 * mux-facts §3.1): `highest` and `audio-only` are standard; the rest are advanced, and advanced
 * resolutions cannot be mixed with `highest` on one asset.
 */
export const STATIC_RENDITION_RESOLUTIONS = [
  "highest",
  "audio-only",
  "2160p",
  "1440p",
  "1080p",
  "720p",
  "540p",
  "480p",
  "360p",
  "270p",
] as const;
export type StaticRenditionResolution = (typeof STATIC_RENDITION_RESOLUTIONS)[number];

/** The file a requested resolution becomes: `highest` → `highest.mp4`, `audio-only` → `audio.m4a`. */
export function renditionNameOf(resolution: StaticRenditionResolution): string {
  return normaliseRenditionName(resolution);
}
