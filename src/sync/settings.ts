/**
 * The sync-level settings, validated the same way wherever they come from: the environment at
 * start-up, the admin API, or the CLI. Names and defaults follow the Mixpeek Mux integration.
 */
import { z } from "zod";
import { SYNC_MODES, type SyncMode } from "../db/schema";
import { isMuxId } from "../mux/ids";
import {
  normaliseRenditionName,
  RENDITION_NAMES,
  STATIC_RENDITION_RESOLUTIONS,
  type StaticRenditionResolution,
} from "../mux/rendition-names";

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

/**
 * `create_renditions`: the resolutions to ask Mux for when a ready asset has none of them (empty:
 * never ask). Each at most once; `highest` and an advanced resolution exclude each other, as Mux
 * refuses that mix on one asset.
 */
export const createRenditionsSchema = z
  .array(
    z.enum(STATIC_RENDITION_RESOLUTIONS, {
      message: `must be one of ${STATIC_RENDITION_RESOLUTIONS.join(", ")}`,
    }),
  )
  .max(STATIC_RENDITION_RESOLUTIONS.length)
  .superRefine((list, ctx) => {
    if (new Set(list).size !== list.length) {
      ctx.addIssue({ code: "custom", message: "must not name a resolution twice" });
    }
    if (list.includes("highest") && list.some(isAdvancedResolution)) {
      ctx.addIssue({
        code: "custom",
        message: 'must not mix "highest" with a fixed resolution (Mux refuses both on one asset)',
      });
    }
  });

function isAdvancedResolution(resolution: StaticRenditionResolution): boolean {
  return resolution !== "highest" && resolution !== "audio-only";
}

/** What `object.ready` may wait for besides the MP4: `captions` is a ready text track. */
export const WAIT_FOR_KINDS = ["captions"] as const;
export type WaitForKind = (typeof WAIT_FOR_KINDS)[number];

export const waitForSchema = z
  .array(z.enum(WAIT_FOR_KINDS, { message: `must be ${WAIT_FOR_KINDS.map((k) => `"${k}"`).join(" or ")}` }))
  .max(WAIT_FOR_KINDS.length)
  .refine((list) => new Set(list).size === list.length, { message: "must not name a kind twice" });

/** How long `wait_for` holds a ready object before it is delivered without what it waited for. */
export const DEFAULT_WAIT_FOR_GRACE_SECONDS = 3600;
export const MAX_WAIT_FOR_GRACE_SECONDS = 7 * 24 * 3600;

export const waitForGraceSchema = z
  .number({ message: "must be a whole number of seconds" })
  .int({ message: "must be a whole number of seconds" })
  .min(0, { message: "must be at least 0 seconds" })
  .max(MAX_WAIT_FOR_GRACE_SECONDS, {
    message: `must be at most ${MAX_WAIT_FOR_GRACE_SECONDS} seconds (7 days)`,
  });

/** `mux://` → null (whole library); `mux://abc` → "abc". Assumes a validated path. */
export function assetIdFromSourcePath(sourcePath: string): string | null {
  const id = sourcePath.startsWith(SOURCE_SCHEME) ? sourcePath.slice(SOURCE_SCHEME.length) : "";
  return isMuxId(id) ? id : null;
}
