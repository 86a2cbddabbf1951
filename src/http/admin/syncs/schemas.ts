/**
 * `/v1/buckets/{bucket_id}/syncs`: request and response shapes. Sync settings reuse the schemas
 * in `sync/settings.ts` and `sync/filters.ts`, the ones the environment is parsed with.
 */
import { z } from "@hono/zod-openapi";
import type { RunView, SyncView } from "../../../resources/views";
import { fileFiltersSchema } from "../../../sync/filters";
import {
  createRenditionsSchema,
  pollingIntervalSchema,
  renditionPreferenceSchema,
  sourcePathSchema,
  syncModeSchema,
  waitForGraceSchema,
  waitForSchema,
} from "../../../sync/settings";
import { type Documents, limit, pathParam, text, time, unknownKeys } from "../openapi";

const SYNC_KEYS = [
  "connection_id",
  "source_path",
  "sync_mode",
  "polling_interval_seconds",
  "file_filters",
  "rendition_preference",
  "create_renditions",
  "remove_created_renditions",
  "wait_for",
  "wait_for_grace_seconds",
] as const;

const syncSettings = {
  source_path: sourcePathSchema.optional().openapi({ example: "mux://" }),
  sync_mode: syncModeSchema.optional(),
  polling_interval_seconds: pollingIntervalSchema.optional().openapi({ example: 300 }),
  file_filters: fileFiltersSchema.optional().openapi({
    description:
      "Which assets the sync takes: `metadata_filters` rules `{field, operator, value}` (`value` is compared with the field; a list for `in`; true, false or omitted for `exists`), `created_after` / `created_before` (ISO 8601 date or datetime, or unix seconds) and `min_duration_seconds` / `max_duration_seconds`.",
  }),
  rendition_preference: renditionPreferenceSchema
    .nullable()
    .optional()
    .openapi({ example: ["low", "medium", "high"], description: "null restores the default order." }),
  create_renditions: createRenditionsSchema.optional().openapi({
    example: ["highest"],
    description:
      "Static Renditions API resolutions to ask Mux for when a ready asset has no usable MP4 (needs a token with Mux Video Read and Write). Each is asked once per asset and resolution per connection, at Mux's 1 POST/s; meanwhile the object waits (waiting_for_rendition, reason rendition_requested). A read-only token skips such assets as no_write_permission. Empty: never ask.",
  }),
  remove_created_renditions: z.boolean().optional().openapi({
    description:
      "Delete the renditions this service created once their file is stored and delivered by every bucket over the connection that holds the asset (needs stored copies: STORAGE_DIR, or R2 on Workers; a 400 otherwise). Renditions it did not create are never deleted, and the pipeline is not told (its stored path stays; Mux's URL stops working).",
  }),
  wait_for: waitForSchema.optional().openapi({
    example: ["captions"],
    description: "What `object.ready` waits for besides the MP4: `captions` is a ready text track.",
  }),
  wait_for_grace_seconds: waitForGraceSchema.optional().openapi({
    example: 3600,
    description:
      "How long `wait_for` holds a ready object; then it is delivered without, and the reason recorded.",
  }),
};

export const syncCreateSchema = z
  .strictObject(
    { connection_id: text(100).openapi({ example: "con_default" }), ...syncSettings },
    { error: unknownKeys(SYNC_KEYS) },
  )
  .openapi("SyncCreate");

export const syncPatchSchema = z
  .strictObject({ connection_id: text(100).optional(), ...syncSettings }, { error: unknownKeys(SYNC_KEYS) })
  .openapi("SyncPatch");

export const syncParams = z.object({
  bucket_id: pathParam("bucket_id", "bkt_default"),
  sync_id: pathParam("sync_id", "syn_default"),
});

export const runListQuerySchema = z.object({ limit: limit(20, 200) });

export const runSchema = z
  .object({
    id: z.string(),
    sync_id: z.string(),
    kind: z.string(),
    status: z.string(),
    started_at: time,
    finished_at: time,
    pages: z.number(),
    api_calls: z.number(),
    assets_seen: z.number(),
    enqueued: z.number(),
    repaired: z.number(),
    rechecked: z.number(),
    errors: z.number(),
    order_violation: z
      .boolean()
      .openapi({ description: "Mux listed out of newest-first order: the pass became a full sweep." }),
    message: z.string().nullable(),
  })
  .openapi("Run");

export const syncSchema = z
  .object({
    id: z.string(),
    bucket_id: z.string(),
    connection_id: z.string(),
    source_path: z.string(),
    sync_mode: z.string(),
    polling_interval_seconds: z.number(),
    file_filters: z.record(z.string(), z.unknown()),
    rendition_preference: z.array(z.string()).nullable(),
    create_renditions: z.array(z.string()),
    remove_created_renditions: z.boolean(),
    wait_for: z.array(z.string()),
    wait_for_grace_seconds: z.number(),
    status: z
      .string()
      .openapi({ description: "active, paused, completed (initial_only done) or suspended." }),
    suspension: z.string().nullable().openapi({
      description: "Why a suspended sync stopped: failing, environment_changed or deletion_guard.",
    }),
    status_reason: z.string().nullable(),
    origin: z.string(),
    next_run_at: time,
    last_run: runSchema.nullable(),
    created_at: time,
    updated_at: time,
  })
  .openapi("Sync");

export const runIdSchema = z.object({ run_id: z.string() }).openapi("RunId");
export const resumeResultSchema = syncSchema.extend({ run_id: z.string().nullable() }).openapi("SyncResumed");
export const confirmDeletionsSchema = syncSchema
  .extend({
    confirmed: z.number().openapi({ description: "Held deletions whose ingest runs again to apply them." }),
  })
  .openapi("DeletionsConfirmed");

const _run: Documents<typeof runSchema, RunView> = true;
const _sync: Documents<typeof syncSchema, SyncView> = true;
