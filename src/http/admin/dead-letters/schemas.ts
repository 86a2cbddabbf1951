/** `/v1/dead-letters`: the jobs that spent every attempt, their filters, replays and purges. */
import { z } from "@hono/zod-openapi";
import { MAX_BULK_REPLAY } from "../../../resources/dead-letters";
import type {
  BulkReplayResult,
  DeadLetterPage,
  DeadLetterView,
  ReplayResult,
} from "../../../resources/views";
import { type Documents, limit, pathParam, time, unknownKeys } from "../openapi";

const FILTER_KEYS = ["type", "bucket_id", "sync_id", "error", "cursor", "limit"] as const;

const filterFields = {
  type: z
    .string()
    .max(50, { error: "must be at most 50 characters" })
    .optional()
    .openapi({ description: "Only jobs of this type (ingest, deliver, download, reconcile)." }),
  bucket_id: z
    .string()
    .max(100, { error: "must be at most 100 characters" })
    .optional()
    .openapi({ description: "Only jobs concerning this bucket (through their sync or object)." }),
  sync_id: z
    .string()
    .max(100, { error: "must be at most 100 characters" })
    .optional()
    .openapi({ description: "Only jobs concerning this sync." }),
  error: z
    .string()
    .min(1, { error: "must not be empty" })
    .max(200, { error: "must be at most 200 characters" })
    .optional()
    .openapi({ description: "Only jobs whose last error contains this text (case-insensitive)." }),
  cursor: z
    .string()
    .max(2_000, { error: "must be at most 2000 characters" })
    .optional()
    .openapi({ description: "next_cursor of the previous answer; omit to start from the newest." }),
};

export const deadLetterListQuerySchema = z.object({ ...filterFields, limit: limit(50, 100) });

export const deadLetterParams = z.object({ id: pathParam("id", "job_1f2e3d") });

export const bulkReplaySchema = z
  .strictObject(
    {
      ...filterFields,
      limit: z
        .number({ error: `must be a whole number from 1 to ${MAX_BULK_REPLAY}` })
        .int({ error: `must be a whole number from 1 to ${MAX_BULK_REPLAY}` })
        .min(1, { error: `must be a whole number from 1 to ${MAX_BULK_REPLAY}` })
        .max(MAX_BULK_REPLAY, { error: `must be a whole number from 1 to ${MAX_BULK_REPLAY}` })
        .optional()
        .transform((v) => v ?? MAX_BULK_REPLAY)
        .openapi({ type: "integer", example: MAX_BULK_REPLAY }),
    },
    { error: unknownKeys(FILTER_KEYS) },
  )
  .openapi("DeadLetterBulkReplay");

export const deadLetterSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    key: z.string(),
    attempts: z.number(),
    max_attempts: z.number(),
    last_error: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    died_at: time,
    created_at: time,
    updated_at: time,
    finished_at: time,
    sync_id: z.string().nullable(),
    bucket_id: z.string().nullable(),
    object: z
      .object({ id: z.string(), asset_id: z.string(), state: z.string(), reason: z.string().nullable() })
      .nullable(),
  })
  .openapi("DeadLetter");

export const deadLetterPageSchema = z
  .object({
    data: z.array(deadLetterSchema),
    next_cursor: z.string().nullable().openapi({
      description:
        "Pass as ?cursor= to carry on; null once the oldest dead letter was looked at. A filtered page looks at a bounded number of dead letters, so it can be short, even empty, while has_more.",
    }),
    has_more: z.boolean(),
  })
  .openapi("DeadLetterPage");

export const replayResultSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    action: z.enum(["revived", "object_retry", "new_pass"]).openapi({
      description:
        "revived: the job runs again with fresh attempts; object_retry: the object is read from Mux again and delivered afresh (the dead job is replaced); new_pass: a new pass of the sync.",
    }),
    job_key: z.string(),
    run_id: z.string().nullable(),
  })
  .openapi("DeadLetterReplay");

export const bulkReplayResultSchema = z
  .object({
    replayed: z.number(),
    results: z.array(replayResultSchema),
    refused: z.array(z.object({ id: z.string(), code: z.string(), message: z.string() })),
    next_cursor: z.string().nullable(),
    has_more: z.boolean(),
  })
  .openapi("DeadLetterBulkReplayResult");

const _letter: Documents<typeof deadLetterSchema, DeadLetterView> = true;
const _page: Documents<typeof deadLetterPageSchema, DeadLetterPage> = true;
const _replay: Documents<typeof replayResultSchema, ReplayResult> = true;
const _bulk: Documents<typeof bulkReplayResultSchema, BulkReplayResult> = true;
