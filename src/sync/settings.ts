/**
 * The sync-level settings, validated the same way wherever they come from: the environment at
 * start-up, the admin API, or the CLI. Names and defaults follow the Mixpeek Mux integration.
 */
import { z } from "zod";
import { SYNC_MODES, type SyncMode } from "../db/schema";
import { isMuxId } from "../mux/ids";
import { normaliseRenditionName, RENDITION_NAMES } from "../mux/rendition-names";

const SOURCE_SCHEME = "mux://";

/** `mux://`, or `mux://` and a Mux id (`mux/ids.ts`): the asset id becomes a job key and a storage folder. */
export const sourcePathSchema = z
  .string()
  .refine(
    (value) =>
      value.startsWith(SOURCE_SCHEME) &&
      (value === SOURCE_SCHEME || isMuxId(value.slice(SOURCE_SCHEME.length))),
    {
      message: 'must be "mux://" (the whole library) or "mux://{asset_id}" (one asset)',
    },
  );

export const syncModeSchema = z.enum(SYNC_MODES, {
  message: `must be ${SYNC_MODES.map((mode) => `"${mode}"`).join(" or ")}`,
});

/** The whole library, kept in step: what a sync does unless told otherwise. */
export const DEFAULT_SOURCE_PATH = "mux://";
export const DEFAULT_SYNC_MODE: SyncMode = "continuous";

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

/** Accepts `low` as well as `low.mp4`, and `audio` for `audio.m4a`, then stores the file name. */
export const renditionNameSchema = z
  .string()
  .transform((value) => normaliseRenditionName(value))
  .pipe(z.enum(RENDITION_NAMES, { message: `must be one of ${RENDITION_NAMES.join(", ")}` }));

export const renditionPreferenceSchema = z.array(renditionNameSchema).min(1).max(RENDITION_NAMES.length);

/** `mux://` → null (whole library); `mux://abc` → "abc". Assumes a validated path. */
export function assetIdFromSourcePath(sourcePath: string): string | null {
  const id = sourcePath.startsWith(SOURCE_SCHEME) ? sourcePath.slice(SOURCE_SCHEME.length) : "";
  return isMuxId(id) ? id : null;
}
