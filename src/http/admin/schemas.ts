/**
 * The admin API's request and response shapes, as zod schemas. The same objects validate the
 * requests (through `@hono/zod-openapi`'s validator) and generate `/openapi.json`, so the
 * documentation cannot drift from what the server accepts. Sync settings reuse the schemas in
 * `sync/settings.ts` and `sync/filters.ts`, the ones the environment is parsed with.
 */
import { z } from "@hono/zod-openapi";
import { fileFiltersSchema } from "../../sync/filters";
import {
  pollingIntervalSchema,
  renditionPreferenceSchema,
  sourcePathSchema,
  syncModeSchema,
} from "../../sync/settings";
import { describeFilterSchemasForOpenApi } from "./openapi-annotations";

describeFilterSchemasForOpenApi();

/** zod's default for a missing key is "expected string, received undefined"; people want "is required". */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : `must be ${what}`;

const text = (max: number) =>
  z
    .string({ error: expected("a string") })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` });

/** A write-only secret: accepted here, sealed at rest, shown back only as a mask. */
const secret = (max: number) =>
  z
    .string({ error: expected("a string") })
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => v.trim() === v, { error: "must not start or end with whitespace" });

const uuid = z
  .string({ error: expected("a UUID (the Mux Access Token ID)") })
  .trim()
  .pipe(z.uuid({ error: "must be a UUID (the Mux Access Token ID)" }))
  .openapi({ example: "8c3f6b1e-2d4a-4f7b-9e1c-5a6d7e8f9a0b", format: "uuid" });

const httpUrl = z
  .string({ error: expected("an http(s) URL") })
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), { error: "must be an http(s) URL" })
  .openapi({ example: "https://pipeline.example.com/hooks/mux", format: "uri" });

const unknownKeys = (allowed: readonly string[]) => (issue: { code?: string; keys?: readonly string[] }) =>
  issue.code === "unrecognized_keys" && issue.keys
    ? `has unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")} (allowed: ${allowed.join(", ")})`
    : "must be a JSON object";

const boolFlag = z
  .enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' })
  .transform((v) => v === "true" || v === "1")
  .optional();

// ---------------------------------------------------------------------------------------------
// Requests

const CONNECTION_KEYS = [
  "name",
  "provider",
  "access_token_id",
  "access_token_secret",
  "webhook_secrets",
  "signing_key_id",
  "signing_private_key",
  "validate",
] as const;

const signingPairCheck = (
  body: { signing_key_id?: string | null; signing_private_key?: string | null },
  ctx: z.RefinementCtx,
) => {
  const id = body.signing_key_id;
  const key = body.signing_private_key;
  // `undefined` means "not sent" (a patch leaves it alone); both must be sent or cleared together.
  if ((id === undefined) !== (key === undefined) || (id === null) !== (key === null)) {
    ctx.addIssue({
      code: "custom",
      path: [id === undefined || id === null ? "signing_key_id" : "signing_private_key"],
      message: "signing_key_id and signing_private_key go together (signed playback needs both)",
    });
  }
};

export const connectionCreateSchema = z
  .strictObject(
    {
      name: text(200).openapi({ example: "Production" }),
      provider: z.literal("mux", { error: 'must be "mux"' }).default("mux"),
      access_token_id: uuid,
      access_token_secret: secret(1024).openapi({ description: "Write-only; answered as a mask." }),
      webhook_secrets: z
        .array(secret(1024), { error: "must be a list of strings" })
        .max(10, { error: "may hold at most 10 secrets" })
        .optional()
        .openapi({ description: "Mux webhook signing secrets; several during a rotation. Write-only." }),
      signing_key_id: text(200).optional(),
      signing_private_key: secret(20_000)
        .optional()
        .openapi({ description: "RS256 private key (PEM or base64 PEM) for signed playback. Write-only." }),
      validate: z
        .boolean({ error: "must be true or false" })
        .optional()
        .openapi({ description: "Test the credentials against Mux before saving (same as ?validate=true)." }),
    },
    { error: unknownKeys(CONNECTION_KEYS) },
  )
  .superRefine(signingPairCheck)
  .openapi("ConnectionCreate");

export const connectionPatchSchema = z
  .strictObject(
    {
      name: text(200).optional(),
      access_token_id: uuid.optional(),
      access_token_secret: secret(1024).optional(),
      webhook_secrets: z
        .array(secret(1024), { error: "must be a list of strings" })
        .max(10, { error: "may hold at most 10 secrets" })
        .nullable()
        .optional()
        .openapi({ description: "Replaces the whole list; null or [] removes every secret." }),
      signing_key_id: text(200).nullable().optional(),
      signing_private_key: secret(20_000).nullable().optional(),
      validate: z.boolean({ error: "must be true or false" }).optional(),
    },
    { error: unknownKeys(CONNECTION_KEYS.filter((k) => k !== "provider")) },
  )
  .superRefine(signingPairCheck)
  .openapi("ConnectionPatch");

export const validateQuerySchema = z.object({
  validate: boolFlag.openapi({ description: "Test the credentials against Mux before saving." }),
});

export const forceQuerySchema = z.object({
  force: boolFlag.openapi({ description: "Delete even when syncs still use it (they are deleted too)." }),
});

const BUCKET_KEYS = ["name", "pipeline_url"] as const;

export const bucketCreateSchema = z
  .strictObject(
    {
      name: text(200).openapi({ example: "videos" }),
      pipeline_url: httpUrl.nullable().optional(),
    },
    { error: unknownKeys(BUCKET_KEYS) },
  )
  .openapi("BucketCreate");

export const bucketPatchSchema = z
  .strictObject(
    { name: text(200).optional(), pipeline_url: httpUrl.nullable().optional() },
    { error: unknownKeys(BUCKET_KEYS) },
  )
  .openapi("BucketPatch");

const SYNC_KEYS = [
  "connection_id",
  "source_path",
  "sync_mode",
  "polling_interval_seconds",
  "file_filters",
  "rendition_preference",
] as const;

const syncSettings = {
  source_path: sourcePathSchema.optional().openapi({ example: "mux://" }),
  sync_mode: syncModeSchema.optional(),
  polling_interval_seconds: pollingIntervalSchema.optional().openapi({ example: 300 }),
  file_filters: fileFiltersSchema.optional(),
  rendition_preference: renditionPreferenceSchema
    .nullable()
    .optional()
    .openapi({ example: ["low", "medium", "high"], description: "null restores the default order." }),
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

export const OBJECT_STATES = [
  "waiting_for_asset",
  "waiting_for_rendition",
  "ready",
  "delivered",
  "skipped",
  "failed",
  "deleted",
] as const;

const limit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number from 1 to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `must be a whole number from 1 to ${max}` })
        .max(max, { error: `must be a whole number from 1 to ${max}` }),
    )
    .optional()
    .transform((v) => v ?? fallback)
    .openapi({ type: "integer", example: fallback });

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

export const runListQuerySchema = z.object({ limit: limit(20, 200) });

export const JOB_STATUSES = ["pending", "running", "done", "dead"] as const;

export const jobListQuerySchema = z.object({
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }).optional(),
  type: z.string().max(50).optional(),
  limit: limit(50, 500),
});

// ---------------------------------------------------------------------------------------------
// Path parameters

const pathParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .openapi({ param: { name, in: "path" }, example });

export const connectionParams = z.object({ id: pathParam("id", "con_default") });
export const bucketParams = z.object({ bucket_id: pathParam("bucket_id", "bkt_default") });
export const syncParams = z.object({
  bucket_id: pathParam("bucket_id", "bkt_default"),
  sync_id: pathParam("sync_id", "syn_default"),
});
export const objectParams = z.object({
  bucket_id: pathParam("bucket_id", "bkt_default"),
  asset_id: pathParam("asset_id", "a1b2c3"),
});
export const jobParams = z.object({ id: pathParam("id", "job_1f2e3d") });

// ---------------------------------------------------------------------------------------------
// Responses

const time = z.string().nullable().openapi({ format: "date-time", example: "2026-01-01T00:00:00.000Z" });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export const connectionTestResultSchema = z
  .object({
    success: z.boolean(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("ConnectionTestResult");

export const connectionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    provider: z.string(),
    access_token_id: z.string(),
    access_token_secret: z.string().nullable().openapi({ example: "****c0ff" }),
    webhook_secrets: z.array(z.string()).openapi({ example: ["****9a0b"] }),
    signing_key_id: z.string().nullable(),
    signing_private_key: z.string().nullable().openapi({ example: "****IDAQ" }),
    origin: z.string().openapi({ description: "`env` when created from the environment, `api` otherwise." }),
    last_test: z
      .object({ success: z.boolean().nullable(), message: z.string().nullable(), at: time })
      .nullable(),
    sync_ids: z.array(z.string()),
    created_at: time,
    updated_at: time,
  })
  .openapi("Connection");

export const bucketSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    pipeline_url: z.string().nullable(),
    origin: z.string(),
    sync_ids: z.array(z.string()),
    objects: z.object({ total: z.number(), by_state: z.record(z.string(), z.number()) }),
    created_at: time,
    updated_at: time,
  })
  .openapi("Bucket");

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
    status: z
      .string()
      .openapi({ description: "active, paused, completed (initial_only done) or suspended." }),
    status_reason: z.string().nullable(),
    origin: z.string(),
    next_run_at: time,
    last_run: runSchema.nullable(),
    created_at: time,
    updated_at: time,
  })
  .openapi("Sync");

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
    version: z.number(),
    discovered_via: z.string(),
    state_changed_at: time,
    created_at: time,
    updated_at: time,
  })
  .openapi("Object");

export const jobSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    key: z.string(),
    status: z.string(),
    attempts: z.number(),
    max_attempts: z.number(),
    available_at: time,
    last_error: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    created_at: time,
    updated_at: time,
    finished_at: time,
  })
  .openapi("Job");

export const deliverySchema = z
  .object({
    id: z.string(),
    type: z.string(),
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
    deliveries: z.array(deliverySchema),
    jobs: z.array(jobSchema),
  })
  .openapi("ObjectDetail");

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item) }).openapi(name);

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

export const runIdSchema = z.object({ run_id: z.string() }).openapi("RunId");
export const resumeResultSchema = syncSchema.extend({ run_id: z.string().nullable() }).openapi("SyncResumed");
export const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) }).openapi("Deleted");
export const retryResultSchema = z
  .object({
    object_id: z.string(),
    asset_id: z.string(),
    job_key: z.string(),
    revived_dead_job: z.boolean(),
  })
  .openapi("RetryResult");

export type ConnectionView = z.infer<typeof connectionSchema>;
export type BucketView = z.infer<typeof bucketSchema>;
export type SyncView = z.infer<typeof syncSchema>;
export type RunView = z.infer<typeof runSchema>;
export type ObjectView = z.infer<typeof objectSchema>;
export type ObjectDetailView = z.infer<typeof objectDetailSchema>;
export type JobView = z.infer<typeof jobSchema>;
export type DeliveryView = z.infer<typeof deliverySchema>;
export type ConnectionTestResult = z.infer<typeof connectionTestResultSchema>;
export type ConnectionCreateInput = z.output<typeof connectionCreateSchema>;
export type ConnectionPatchInput = z.output<typeof connectionPatchSchema>;
export type BucketCreateInput = z.output<typeof bucketCreateSchema>;
export type BucketPatchInput = z.output<typeof bucketPatchSchema>;
export type SyncCreateInput = z.output<typeof syncCreateSchema>;
export type SyncPatchInput = z.output<typeof syncPatchSchema>;
export type ObjectListQuery = z.output<typeof objectListQuerySchema>;
