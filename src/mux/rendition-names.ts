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
