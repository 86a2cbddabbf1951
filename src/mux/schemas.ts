/**
 * What we read from Mux, parsed leniently: Mux sends the same field with different types
 * depending on the channel (`created_at` is a numeric string over REST, a number in webhooks and
 * an ISO string in old examples; `filesize` is a string or a number), adds fields without notice,
 * and sends events with no `data`. These schemas normalise the fields we use and keep the rest.
 */
import { z } from "zod";
import { muxIdSchema, renditionFileNameSchema } from "./ids";

/** Unix seconds from a number, a numeric string or an ISO date; null when it is none of these. */
export function toUnixSeconds(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return Math.floor(value);
  if (typeof value === "string" && value.trim() !== "") {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.floor(Number(value));
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return null;
}

/** A number, or a numeric string; anything else (an empty string, "abc") becomes null rather than failing the asset. */
const numberish = z
  .preprocess((v) => {
    if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
    return v;
  }, z.number().nullish())
  .catch(null);

const timeish = z
  .unknown()
  .optional()
  .transform((v) => toUnixSeconds(v));

/**
 * A list whose entries are checked one by one: an entry that fails (a playback id or a file name
 * that is not Mux's shape) is dropped, never used, and the rest of the asset still counts.
 */
function validEntries<T extends z.ZodType>(entry: T) {
  return z.array(z.unknown()).transform((items) =>
    items.flatMap((item) => {
      const parsed = entry.safeParse(item);
      return parsed.success ? [parsed.data as z.output<T>] : [];
    }),
  );
}

export const playbackIdSchema = z.looseObject({
  id: muxIdSchema,
  policy: z.string(),
});

export const staticRenditionFileSchema = z.looseObject({
  name: renditionFileNameSchema,
  ext: z.string().nullish(),
  status: z.string().nullish(),
  resolution: z.string().nullish(),
  resolution_tier: z.string().nullish(),
  width: numberish,
  height: numberish,
  bitrate: numberish,
  filesize: numberish,
  id: muxIdSchema.nullish().catch(null),
  /** Set by whoever asked for the rendition; this service tags its own (`requestPassthrough`). */
  passthrough: z.string().nullish().catch(null),
});
export type StaticRenditionFile = z.infer<typeof staticRenditionFileSchema>;

/** A string Mux sends as is (a track's name, language); anything else becomes null, never a failed asset. */
const textOrNull = z.string().nullish().catch(null);
const flagOrNull = z.boolean().nullish().catch(null);

/**
 * One of `asset.tracks[]` (video, audio or text; mux-facts §3, §9.3). The id is used in URLs and
 * storage keys, so one that is not a Mux id becomes null (the track is then never used); names
 * and language codes are Mux's text, carried as sent.
 */
export const trackSchema = z.looseObject({
  type: z.string().nullish(),
  id: muxIdSchema.nullish().catch(null),
  status: textOrNull,
  text_type: textOrNull,
  text_source: textOrNull,
  language_code: textOrNull,
  name: textOrNull,
  closed_captions: flagOrNull,
  primary: flagOrNull,
});
export type MuxTrack = z.infer<typeof trackSchema>;

/**
 * `static_renditions` is `{status?, files?}`; one Mux guide shows a bare array of files, so that
 * form is folded into the object form.
 */
const staticRenditionsSchema = z.preprocess(
  (v) => (Array.isArray(v) ? { files: v } : v),
  z
    .looseObject({
      status: z.string().nullish(),
      files: validEntries(staticRenditionFileSchema).nullish(),
    })
    .nullish(),
);

export const muxAssetSchema = z.looseObject({
  /** The asset's key everywhere (objects, storage, jobs): an asset with any other id is refused. */
  id: muxIdSchema,
  status: z.string().nullish(),
  created_at: timeish,
  playback_ids: validEntries(playbackIdSchema).nullish(),
  static_renditions: staticRenditionsSchema,
  mp4_support: z.string().nullish(),
  passthrough: z.string().nullish(),
  meta: z
    .looseObject({
      title: z.string().nullish(),
      creator_id: z.string().nullish(),
      external_id: z.string().nullish(),
    })
    .nullish(),
  duration: numberish,
  aspect_ratio: z.string().nullish(),
  resolution_tier: z.string().nullish(),
  max_resolution_tier: z.string().nullish(),
  video_quality: z.string().nullish(),
  upload_id: z.string().nullish(),
  live_stream_id: z.string().nullish(),
  is_live: z.boolean().nullish(),
  test: z.boolean().nullish(),
  tracks: z.array(trackSchema).nullish(),
  errors: z.looseObject({ type: z.string().nullish(), messages: z.array(z.string()).nullish() }).nullish(),
});
export type MuxAsset = z.infer<typeof muxAssetSchema>;

/**
 * The webhook envelope. Only `id` and `type` are required: everything we act on is re-read from
 * the API, so a partial event is still worth recording. Other keys are left out of the result
 * unread (not copied, as a loose object would on every webhook): nothing reads them.
 */
export const webhookEnvelopeSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created_at: timeish,
  object: z.object({ id: z.string().nullish(), type: z.string().nullish() }).nullish(),
  environment: z.object({ id: z.string().nullish(), name: z.string().nullish() }).nullish(),
  // Checked for shape only: walking every key of a 1.5 KB asset on every webhook is wasted work,
  // since the job re-reads the asset from Mux anyway.
  data: z
    .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
      message: "must be an object",
    })
    .nullish(),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;
