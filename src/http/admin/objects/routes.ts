/** `/v1/buckets/{bucket_id}/objects` and `/v1/jobs`: what happened to each asset, and fixing it. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { listJobs, retryJob } from "../../../resources/jobs";
import { retryObject } from "../../../resources/object-retry";
import { getObject, listObjects } from "../../../resources/objects";
import type { AppEnv } from "../../context";
import { commonErrors, conflict, jsonContent, notFound, security, validationFailed } from "../openapi";
import {
  bucketParams,
  jobListQuerySchema,
  jobParams,
  jobSchema,
  listOf,
  objectDetailSchema,
  objectListQuerySchema,
  objectPageSchema,
  objectParams,
  retryResultSchema,
} from "../schemas";

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

const jobs = createRoute({
  method: "get",
  path: "/v1/jobs",
  tags: ["Jobs"],
  security,
  summary: "Jobs in the queue, newest change first",
  description: "`?status=dead` lists the dead letters: jobs that spent every attempt, with their last error.",
  request: { query: jobListQuerySchema },
  responses: {
    200: jsonContent(listOf(jobSchema, "JobList"), "The jobs"),
    ...validationFailed,
    ...commonErrors,
  },
});

const retryDeadJob = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/retry",
  tags: ["Jobs"],
  security,
  summary: "Revive a dead job with fresh attempts",
  request: { params: jobParams },
  responses: {
    202: jsonContent(jobSchema, "The job, pending again"),
    ...notFound,
    ...conflict,
    ...commonErrors,
  },
});

export function registerObjectRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(list, async (c) =>
    c.json(await listObjects(c.var.services, c.req.valid("param").bucket_id, c.req.valid("query")), 200),
  );
  app.openapi(get, async (c) => {
    const { bucket_id, asset_id } = c.req.valid("param");
    return c.json(await getObject(c.var.services, bucket_id, asset_id), 200);
  });
  app.openapi(retry, async (c) => {
    const { bucket_id, asset_id } = c.req.valid("param");
    return c.json(await retryObject(c.var.services, bucket_id, asset_id), 202);
  });
  app.openapi(jobs, async (c) => c.json({ data: await listJobs(c.var.services, c.req.valid("query")) }, 200));
  app.openapi(retryDeadJob, async (c) =>
    c.json(await retryJob(c.var.services, c.req.valid("param").id), 202),
  );
}
