/** `/v1/buckets`: collections of objects and where their deliveries go. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  createBucket,
  deleteBucket,
  getBucket,
  listBuckets,
  rotateBucketSecret,
  updateBucket,
} from "../../../resources/buckets";
import type { HttpEnv } from "../../context";
import {
  commonErrors,
  conflict,
  deletedSchema,
  forceQuerySchema,
  jsonBody,
  jsonContent,
  listOf,
  notFound,
  security,
  validationFailed,
} from "../openapi";
import {
  bucketCreateSchema,
  bucketParams,
  bucketPatchSchema,
  bucketRotateSchema,
  bucketSchema,
  bucketWithSecretSchema,
} from "./schemas";

const tags = ["Buckets"];

const create = createRoute({
  method: "post",
  path: "/v1/buckets",
  tags,
  security,
  summary: "Create a bucket",
  description:
    "`pipeline_url` overrides PIPELINE_URL for this bucket's deliveries. Its deliveries are signed with its own `pipeline_secret` (generated when left out); this answer is the only one that carries it.",
  request: { body: jsonBody(bucketCreateSchema) },
  responses: {
    201: jsonContent(bucketWithSecretSchema, "The bucket, with its pipeline secret (once)"),
    ...validationFailed,
    ...commonErrors,
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/buckets",
  tags,
  security,
  summary: "List buckets",
  responses: { 200: jsonContent(listOf(bucketSchema, "BucketList"), "Every bucket"), ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: "/v1/buckets/{bucket_id}",
  tags,
  security,
  summary: "Get a bucket with its object counts",
  request: { params: bucketParams },
  responses: { 200: jsonContent(bucketSchema, "The bucket"), ...notFound, ...commonErrors },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/buckets/{bucket_id}",
  tags,
  security,
  summary: "Rename a bucket, change its pipeline URL or rotate its pipeline secret",
  description:
    "A pipeline URL needs a pipeline secret: a bucket without one is refused (400). `pipeline_secret` with `grace_seconds` rotates like `rotate-secret`.",
  request: { params: bucketParams, body: jsonBody(bucketPatchSchema) },
  responses: {
    200: jsonContent(bucketSchema, "The bucket"),
    ...validationFailed,
    ...notFound,
    ...commonErrors,
  },
});

const rotate = createRoute({
  method: "post",
  path: "/v1/buckets/{bucket_id}/rotate-secret",
  tags,
  security,
  summary: "Rotate a bucket's pipeline secret",
  description:
    "Sets `pipeline_secret` (generated when left out), answered once. For `grace_seconds` (default a day) deliveries carry both signatures, the new one and the previous one; then only the new one.",
  request: { params: bucketParams, body: jsonBody(bucketRotateSchema) },
  responses: {
    200: jsonContent(bucketWithSecretSchema, "The bucket, with its new pipeline secret (once)"),
    ...validationFailed,
    ...notFound,
    ...commonErrors,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/buckets/{bucket_id}",
  tags,
  security,
  summary: "Delete a bucket and its objects",
  description: "Refused (409) while syncs feed it, unless `?force=true`. The pipeline is not notified.",
  request: { params: bucketParams, query: forceQuerySchema },
  responses: { 200: jsonContent(deletedSchema, "Deleted"), ...notFound, ...conflict, ...commonErrors },
});

export function registerBucketRoutes(app: OpenAPIHono<HttpEnv>): void {
  app.openapi(create, async (c) => c.json(await createBucket(c.var.deps, c.req.valid("json")), 201));
  app.openapi(list, async (c) => c.json({ data: await listBuckets(c.var.deps) }, 200));
  app.openapi(get, async (c) =>
    c.json(await getBucket(c.var.deps, { bucketId: c.req.valid("param").bucket_id }), 200),
  );
  app.openapi(patch, async (c) => {
    const bucketId = c.req.valid("param").bucket_id;
    return c.json(await updateBucket(c.var.deps, { bucketId, patch: c.req.valid("json") }), 200);
  });
  app.openapi(rotate, async (c) => {
    const bucketId = c.req.valid("param").bucket_id;
    return c.json(await rotateBucketSecret(c.var.deps, { bucketId, ...c.req.valid("json") }), 200);
  });
  app.openapi(remove, async (c) => {
    const id = c.req.valid("param").bucket_id;
    await deleteBucket(c.var.deps, { bucketId: id, force: c.req.valid("query").force });
    return c.json({ id, deleted: true as const }, 200);
  });
}
