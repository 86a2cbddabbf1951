/** `/v1/buckets/{bucket_id}/objects`: the change feed, one object's story, and retries. */
import { z } from "@hono/zod-openapi";
import { OBJECT_STATES } from "../../../db/schema";
import { MUX_ID_PATTERN } from "../../../mux/ids";
import type {
  CreateMp4Result,
  ObjectDetailView,
  ObjectPage,
  ObjectView,
  RetryResult,
} from "../../../resources/views";
import { jobSchema } from "../jobs/schemas";
import { type Documents, limit, pathParam, time } from "../openapi";

export const objectListQuerySchema = z.object({
  state: z
    .enum(OBJECT_STATES, { error: `must be one of ${OBJECT_STATES.join(", ")}` })
    .optional()
    .openapi({ description: "Only objects currently in this state." }),
  reason: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: "Only objects with this reason (e.g. filtered, delivery_failed)." }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "next_cursor of the previous page; omit to start from the beginning." }),
  limit: limit(50, 500),
});

export const objectParams = z.object({
  bucket_id: pathParam("bucket_id", "bkt_default"),
  // Only a Mux id can name an object: anything else is refused before any lookup.
  asset_id: z
    .string()
    .regex(MUX_ID_PATTERN, { error: "must be a Mux asset id" })
    .openapi({ param: { name: "asset_id", in: "path" }, example: "a1b2c3" }),
});

const renditionSchema = z
  .object({
    name: z.string(),
    url: z.string(),
    width: z.number().nullable(),
    height: z.number().nullable(),
    bitrate: z.number().nullable(),
    filesize: z.number().nullable(),
    path: z.string().optional(),
  })
  .nullable();

const trackSchema = z.discriminatedUnion("type", [
  z.object({
    id: z.string(),
    type: z.literal("text"),
    text_type: z.string().nullable(),
    language_code: z.string().nullable(),
    name: z.string().nullable(),
    closed_captions: z.boolean().nullable(),
    text_source: z.string().nullable(),
    path: z.string().optional(),
    transcript_path: z.string().optional(),
  }),
  z.object({
    id: z.string(),
    type: z.literal("audio"),
    language_code: z.string().nullable(),
    name: z.string().nullable(),
    primary: z.boolean().nullable(),
  }),
]);

export const objectSchema = z
  .object({
    id: z.string(),
    bucket_id: z.string(),
    sync_id: z.string(),
    asset_id: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    message: z.string().nullable(),
    playback_id: z.string().nullable(),
    playback_policy: z.string().nullable(),
    rendition: renditionSchema,
    metadata: z.record(z.string(), z.unknown()).nullable(),
    tracks: z.array(trackSchema).openapi({
      description: "The ready text tracks, then the audio tracks; deliveries add their URLs.",
    }),
    wait_for_since: time.openapi({ description: "The sync's wait_for hold began then." }),
    wait_for_expired_at: time.openapi({
      description: "The wait_for grace ran out then: the object went on without what it waited for.",
    }),
    version: z.number(),
    discovered_via: z.string(),
    pending_deletion_at: time.openapi({
      description: "Held by the deletion guard since then (Mux answers 404).",
    }),
    state_changed_at: time,
    created_at: time,
    updated_at: time,
  })
  .openapi("Object");

export const deliverySchema = z
  .object({
    id: z.string(),
    type: z.string(),
    reason: z.string().nullable().openapi({ description: "Why the object left (object.deleted only)." }),
    object_version: z.number(),
    status: z.string(),
    attempts: z.number(),
    last_status: z.number().nullable(),
    last_error: z.string().nullable(),
    created_at: time,
    delivered_at: time,
  })
  .openapi("Delivery");

export const objectDetailSchema = objectSchema
  .extend({
    history: z.array(
      z.object({
        state: z.string(),
        reason: z.string().nullable(),
        message: z.string().nullable(),
        at: time,
      }),
    ),
    rendition_requests: z
      .array(
        z.object({
          resolution: z.string(),
          status: z.string().openapi({
            description:
              "requested (not answered yet), created (made for this service: the only kind remove_created_renditions deletes), existing (already defined by someone else), refused (403: the token is read-only), rejected (Mux refused otherwise).",
          }),
          message: z.string().nullable().openapi({ description: "What Mux answered." }),
          requested_at: time,
          answered_at: time,
          removed_at: time.openapi({ description: "When the service deleted the rendition it created." }),
        }),
      )
      .openapi({
        description:
          "The static renditions asked of Mux for this asset over the sync's connection (create_renditions): once per asset and resolution.",
      }),
    deliveries: z.array(deliverySchema),
    jobs: z.array(jobSchema),
  })
  .openapi("ObjectDetail");

export const objectPageSchema = z
  .object({
    data: z.array(objectSchema),
    next_cursor: z.string().openapi({
      description:
        "Pass as ?cursor= to continue. Always present: at the end of the feed it marks where to resume polling for later changes.",
    }),
    has_more: z.boolean(),
  })
  .openapi("ObjectPage");

export const retryResultSchema = z
  .object({
    object_id: z.string(),
    asset_id: z.string(),
    job_key: z.string(),
    revived_dead_job: z.boolean(),
  })
  .openapi("RetryResult");

export const createMp4ResultSchema = z
  .object({
    object_id: z.string(),
    asset_id: z.string(),
    job_key: z.string(),
    resolutions: z.array(z.string()),
    asked_again: z.boolean().openapi({
      description:
        "Earlier answers that made no rendition of the service's own were forgotten, so those are asked again",
    }),
  })
  .openapi("CreateMp4Result");

const _object: Documents<typeof objectSchema, ObjectView> = true;
const _detail: Documents<typeof objectDetailSchema, ObjectDetailView> = true;
const _page: Documents<typeof objectPageSchema, ObjectPage> = true;
const _retry: Documents<typeof retryResultSchema, RetryResult> = true;
const _createMp4: Documents<typeof createMp4ResultSchema, CreateMp4Result> = true;
