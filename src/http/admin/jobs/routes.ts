/** `/v1/jobs`: the queue, dead letters first of all, and reviving one. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { listJobs, retryJob } from "../../../resources/jobs";
import type { HttpEnv } from "../../context";
import {
  commonErrors,
  conflict,
  jsonContent,
  listOf,
  notFound,
  security,
  validationFailed,
} from "../openapi";
import { jobListQuerySchema, jobParams, jobSchema } from "./schemas";

const list = createRoute({
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

const retry = createRoute({
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

export function registerJobRoutes(app: OpenAPIHono<HttpEnv>): void {
  app.openapi(list, async (c) => c.json({ data: await listJobs(c.var.deps, c.req.valid("query")) }, 200));
  app.openapi(retry, async (c) => c.json(await retryJob(c.var.deps, c.req.valid("param")), 202));
}
