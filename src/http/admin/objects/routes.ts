/** `/v1/buckets/{bucket_id}/objects`: what happened to each asset, and fixing it. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { createMp4Now } from "../../../resources/object-mp4";
import { retryObject } from "../../../resources/object-retry";
import { getObject, listObjects } from "../../../resources/objects";
import type { HttpEnv } from "../../context";
import { bucketParams } from "../buckets/schemas";
import { commonErrors, conflict, jsonContent, notFound, security, validationFailed } from "../openapi";
import {
  createMp4ResultSchema,
  objectDetailSchema,
  objectListQuerySchema,
  objectPageSchema,
  objectParams,
  retryResultSchema,
} from "./schemas";

const list = createRoute({
  method: "get",
  path: "/v1/buckets/{bucket_id}/objects",
  tags: ["Objects"],
  security,
  summary: "The bucket's objects as a change feed",
  description:
    "Each object appears once, at the position of its latest change, oldest change first. Page with `next_cursor` while `has_more`; keep the last `next_cursor` and call again later to receive only what changed since. Filter with `state` and `reason`.",
  request: { params: bucketParams, query: objectListQuerySchema },
  responses: {
    200: jsonContent(objectPageSchema, "One page"),
    ...validationFailed,
    ...notFound,
    ...commonErrors,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/buckets/{bucket_id}/objects/{asset_id}",
  tags: ["Objects"],
  security,
  summary: "One object: state history, rendition, deliveries and jobs",
  request: { params: objectParams },
  responses: { 200: jsonContent(objectDetailSchema, "The object"), ...notFound, ...commonErrors },
});

const retry = createRoute({
  method: "post",
  path: "/v1/buckets/{bucket_id}/objects/{asset_id}/retry",
  tags: ["Objects"],
  security,
  summary: "Retry a failed object",
  description:
    "Puts the asset's ingest job back in line with fresh attempts (reviving a dead-lettered one). It re-reads the asset from Mux and delivers it again when ready. Only `failed` objects can be retried (409 otherwise).",
  request: { params: objectParams },
  responses: { 202: jsonContent(retryResultSchema, "Queued"), ...notFound, ...conflict, ...commonErrors },
});

const createMp4 = createRoute({
  method: "post",
  path: "/v1/buckets/{bucket_id}/objects/{asset_id}/create-mp4",
  tags: ["Objects"],
  security,
  summary: "Ask Mux for the sync's static renditions now",
  description:
    "For an object skipped `no_static_renditions` whose sync has `create_renditions`: the asset is read from Mux and judged again at once, and every wanted resolution without a file is asked for (earlier answers that made no rendition of the service's own are forgotten first). A file Mux lists as skipped or errored is Mux's answer and stands. 409 when the object has an MP4 or waits for one, or the sync has no `create_renditions` or is paused.",
  request: { params: objectParams },
  responses: { 202: jsonContent(createMp4ResultSchema, "Queued"), ...notFound, ...conflict, ...commonErrors },
});

/** The path's ids as the verbs name them. */
function objectRef(param: { bucket_id: string; asset_id: string }) {
  return { bucketId: param.bucket_id, assetId: param.asset_id };
}

export function registerObjectRoutes(app: OpenAPIHono<HttpEnv>): void {
  app.openapi(list, async (c) => {
    const bucketId = c.req.valid("param").bucket_id;
    return c.json(await listObjects(c.var.deps, { bucketId, query: c.req.valid("query") }), 200);
  });
  app.openapi(get, async (c) => c.json(await getObject(c.var.deps, objectRef(c.req.valid("param"))), 200));
  app.openapi(retry, async (c) =>
    c.json(await retryObject(c.var.deps, objectRef(c.req.valid("param"))), 202),
  );
  app.openapi(createMp4, async (c) =>
    c.json(await createMp4Now(c.var.deps, objectRef(c.req.valid("param"))), 202),
  );
}
