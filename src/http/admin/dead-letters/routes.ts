/** `/v1/dead-letters`: list the dead jobs, replay one or many (the work runs again), purge one. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  listDeadLetters,
  MAX_BULK_REPLAY,
  purgeDeadLetter,
  replayDeadLetter,
  replayDeadLetters,
} from "../../../resources/dead-letters";
import type { HttpEnv } from "../../context";
import {
  commonErrors,
  conflict,
  deletedSchema,
  jsonBody,
  jsonContent,
  notFound,
  security,
  validationFailed,
} from "../openapi";
import {
  bulkReplayResultSchema,
  bulkReplaySchema,
  deadLetterListQuerySchema,
  deadLetterPageSchema,
  deadLetterParams,
  replayResultSchema,
} from "./schemas";

const tags = ["Dead letters"];

const list = createRoute({
  method: "get",
  path: "/v1/dead-letters",
  tags,
  security,
  summary: "Dead letters, newest first",
  description:
    "Jobs that spent every attempt, with their last error and the object, sync and bucket they concern. Filter by `type` (one index range), and by `bucket_id`, `sync_id` or `error` text: those look at a bounded number of dead letters per call, so page with `next_cursor` while `has_more`.",
  request: { query: deadLetterListQuerySchema },
  responses: {
    200: jsonContent(deadLetterPageSchema, "One page"),
    ...validationFailed,
    ...commonErrors,
  },
});

const replay = createRoute({
  method: "post",
  path: "/v1/dead-letters/{id}/replay",
  tags,
  security,
  summary: "Replay a dead letter: the work runs again",
  description:
    "An ingest job is revived; a delivery or download of an object that failed for it becomes the object's retry (read from Mux again, delivered afresh); a reconciliation pass becomes a new pass of its sync. 409 when the replay cannot run (its sync is paused or gone, a pass is already running).",
  request: { params: deadLetterParams },
  responses: {
    202: jsonContent(replayResultSchema, "Replayed"),
    ...notFound,
    ...conflict,
    ...commonErrors,
  },
});

const bulk = createRoute({
  method: "post",
  path: "/v1/dead-letter-replays",
  tags,
  security,
  summary: "Replay the dead letters a filter selects",
  description: `At most \`limit\` (≤ ${MAX_BULK_REPLAY}) per call, from \`cursor\` on, with the count replayed and the ones refused; call again with \`next_cursor\` while \`has_more\`.`,
  request: { body: jsonBody(bulkReplaySchema) },
  responses: {
    202: jsonContent(bulkReplayResultSchema, "What was replayed"),
    ...validationFailed,
    ...commonErrors,
  },
});

const purge = createRoute({
  method: "delete",
  path: "/v1/dead-letters/{id}",
  tags,
  security,
  summary: "Purge a dead letter",
  description: "Removes the dead job; the object it concerns keeps its state (a failed object stays failed).",
  request: { params: deadLetterParams },
  responses: { 200: jsonContent(deletedSchema, "Purged"), ...notFound, ...commonErrors },
});

export function registerDeadLetterRoutes(app: OpenAPIHono<HttpEnv>): void {
  app.openapi(list, async (c) => c.json(await listDeadLetters(c.var.deps, c.req.valid("query")), 200));
  app.openapi(bulk, async (c) => c.json(await replayDeadLetters(c.var.deps, c.req.valid("json")), 202));
  app.openapi(replay, async (c) => c.json(await replayDeadLetter(c.var.deps, c.req.valid("param")), 202));
  app.openapi(purge, async (c) => c.json(await purgeDeadLetter(c.var.deps, c.req.valid("param")), 200));
}
