/** `/v1/buckets`: request and response shapes. */
import { z } from "@hono/zod-openapi";
import { checkPipelineUrl } from "../../../pipeline/pipeline-url";
import type { BucketView } from "../../../resources/views";
import { type Documents, httpUrl, pathParam, text, time, unknownKeys } from "../openapi";

const BUCKET_KEYS = ["name", "pipeline_url"] as const;

/** Where the bucket's deliveries go: http(s), no credentials, no link-local or metadata address. */
const pipelineUrl = httpUrl.superRefine(checkPipelineUrl);

export const bucketCreateSchema = z
  .strictObject(
    {
      name: text(200).openapi({ example: "videos" }),
      pipeline_url: pipelineUrl.nullable().optional(),
    },
    { error: unknownKeys(BUCKET_KEYS) },
  )
  .openapi("BucketCreate");

export const bucketPatchSchema = z
  .strictObject(
    { name: text(200).optional(), pipeline_url: pipelineUrl.nullable().optional() },
    { error: unknownKeys(BUCKET_KEYS) },
  )
  .openapi("BucketPatch");

export const bucketParams = z.object({ bucket_id: pathParam("bucket_id", "bkt_default") });

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

const _bucket: Documents<typeof bucketSchema, BucketView> = true;
