/**
 * The sync-level settings, validated the same way wherever they come from: the environment at
 * start-up, the admin API, or the CLI. Names and defaults follow the Mixpeek Mux integration.
 */
import { z } from "zod";

const SOURCE_PATH = /^mux:\/\/([A-Za-z0-9_-]{1,255})?$/;

export const sourcePathSchema = z
  .string()
  .regex(SOURCE_PATH, { message: 'must be "mux://" (the whole library) or "mux://{asset_id}" (one asset)' });

export const syncModeSchema = z.enum(["initial_only", "continuous"], {
  message: 'must be "initial_only" or "continuous"',
});

export const MIN_POLLING_INTERVAL_SECONDS = 10;
export const MAX_POLLING_INTERVAL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_POLLING_INTERVAL_SECONDS = 300;

function boundedInterval(base: z.ZodNumber) {
  return base
    .int({ message: "must be a whole number of seconds" })
    .min(MIN_POLLING_INTERVAL_SECONDS, {
      message: `must be at least ${MIN_POLLING_INTERVAL_SECONDS} seconds (Mux rate-limits listing)`,
    })
    .max(MAX_POLLING_INTERVAL_SECONDS, {
      message: `must be at most ${MAX_POLLING_INTERVAL_SECONDS} seconds (7 days)`,
    });
}

/** For JSON bodies. */
export const pollingIntervalSchema = boundedInterval(
  z.number({ message: "must be a whole number of seconds" }),
);

/** For environment variables, which are strings. */
export const pollingIntervalFromStringSchema = z
  .string()
  .regex(/^\d+$/, { message: "must be a whole number of seconds" })
  .transform(Number)
  .pipe(pollingIntervalSchema);

/** Every file name Mux can serve as a static rendition (both the legacy and the current API). */
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
export type RenditionName = (typeof RENDITION_NAMES)[number];

/** Accepts `low` as well as `low.mp4`, and `audio` for `audio.m4a`, then stores the file name. */
export const renditionNameSchema = z
  .string()
  .transform((value) => normaliseRenditionName(value))
  .pipe(z.enum(RENDITION_NAMES, { message: `must be one of ${RENDITION_NAMES.join(", ")}` }));

export function normaliseRenditionName(value: string): string {
  const v = value.trim();
  if (v === "audio" || v === "audio-only") return "audio.m4a";
  if (v.includes(".")) return v;
  return `${v}.mp4`;
}

export const renditionPreferenceSchema = z.array(renditionNameSchema).min(1).max(RENDITION_NAMES.length);

/** `mux://` → null (whole library); `mux://abc` → "abc". Assumes a validated path. */
export function assetIdFromSourcePath(sourcePath: string): string | null {
  const match = SOURCE_PATH.exec(sourcePath);
  return match?.[1] ?? null;
}
