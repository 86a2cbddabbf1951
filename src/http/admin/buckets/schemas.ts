/** `/v1/buckets`: request and response shapes (the pipeline secret write-only, answered once). */
import { z } from "@hono/zod-openapi";
import { checkPipelineUrl } from "../../../pipeline/pipeline-url";
import type { BucketView, BucketWithSecretView } from "../../../resources/views";
import {
  DEFAULT_GRACE_SECONDS,
  MAX_GRACE_SECONDS,
  PIPELINE_SECRET_BYTES,
  pipelineSecretProblem,
} from "../../../sync/pipeline-secrets";
import { type Documents, httpUrl, pathParam, secret, text, time, unknownKeys } from "../openapi";

const BUCKET_KEYS = ["name", "pipeline_url", "pipeline_secret"] as const;
const PATCH_KEYS = [...BUCKET_KEYS, "grace_seconds"] as const;
const ROTATE_KEYS = ["pipeline_secret", "grace_seconds"] as const;

const pipelineSecret = secret(200)
  .superRefine((value, ctx) => {
    const problem = pipelineSecretProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: `Standard Webhooks secret its deliveries are signed with: whsec_ + base64 of ${PIPELINE_SECRET_BYTES.min}–${PIPELINE_SECRET_BYTES.max} bytes. Write-only; generated when left out and answered once.`,
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  });

const graceSeconds = z
  .number({ error: "must be a whole number of seconds" })
  .int({ error: "must be a whole number of seconds" })
  .min(0, { error: "must be at least 0" })
  .max(MAX_GRACE_SECONDS, { error: `must be at most ${MAX_GRACE_SECONDS}` })
  .openapi({
    description: `How long the previous secret still signs deliveries, beside the new one (default ${DEFAULT_GRACE_SECONDS}).`,
  });

/** Where the bucket's deliveries go: http(s), no credentials, no link-local or metadata address. */
const pipelineUrl = httpUrl.superRefine(checkPipelineUrl);

export const bucketCreateSchema = z
  .strictObject(
    {
      name: text(200).openapi({ example: "videos" }),
      pipeline_url: pipelineUrl.nullable().optional(),
      pipeline_secret: pipelineSecret.optional(),
    },
    { error: unknownKeys(BUCKET_KEYS) },
  )
  .openapi("BucketCreate");

export const bucketPatchSchema = z
  .strictObject(
    {
      name: text(200).optional(),
      pipeline_url: pipelineUrl.nullable().optional(),
      pipeline_secret: pipelineSecret.optional(),
      grace_seconds: graceSeconds.optional(),
    },
    { error: unknownKeys(PATCH_KEYS) },
  )
  .openapi("BucketPatch");

export const bucketRotateSchema = z
  .strictObject(
    { pipeline_secret: pipelineSecret.optional(), grace_seconds: graceSeconds.optional() },
    { error: unknownKeys(ROTATE_KEYS) },
  )
  .openapi("BucketRotateSecret");

export const bucketParams = z.object({ bucket_id: pathParam("bucket_id", "bkt_default") });

export const bucketSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    pipeline_url: z.string().nullable(),
    pipeline_secret_hint: z.string().nullable().openapi({ example: "whsec_…c0ff" }),
    pipeline_secret_previous_hint: z.string().nullable(),
    pipeline_secret_previous_until: time,
    origin: z.string(),
    sync_ids: z.array(z.string()),
    objects: z.object({ total: z.number(), by_state: z.record(z.string(), z.number()) }),
    created_at: time,
    updated_at: time,
  })
  .openapi("Bucket");

export const bucketWithSecretSchema = bucketSchema
  .extend({
    pipeline_secret: z.string().openapi({
      description: "The new pipeline secret, in clear: this answer is the only one that carries it.",
    }),
  })
  .openapi("BucketWithSecret");

const _bucket: Documents<typeof bucketSchema, BucketView> = true;
const _bucketWithSecret: Documents<typeof bucketWithSecretSchema, BucketWithSecretView> = true;
