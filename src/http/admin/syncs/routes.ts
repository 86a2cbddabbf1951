/** `/v1/buckets/{bucket_id}/syncs`: what feeds a bucket, and its passes. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  confirmDeletions,
  listRuns,
  pauseSync,
  resumeSync,
  triggerSync,
} from "../../../resources/sync-control";
import { createSync, deleteSync, getSync, listSyncs, updateSync } from "../../../resources/syncs";
import type { HttpEnv } from "../../context";
import { bucketParams } from "../buckets/schemas";
import {
  commonErrors,
  conflict,
  deletedSchema,
  jsonBody,
  jsonContent,
  listOf,
  notFound,
  security,
  validationFailed,
} from "../openapi";
import {
  confirmDeletionsSchema,
  resumeResultSchema,
  runIdSchema,
  runListQuerySchema,
  runSchema,
  syncCreateSchema,
  syncParams,
  syncPatchSchema,
  syncSchema,
} from "./schemas";

const tags = ["Syncs"];
const base = "/v1/buckets/{bucket_id}/syncs";
const one = `${base}/{sync_id}`;

const create = createRoute({
  method: "post",
  path: base,
  tags,
  security,
  summary: "Create a sync",
  description: "Binds the bucket to a connection. Its initial pass is queued at once.",
  request: { params: bucketParams, body: jsonBody(syncCreateSchema) },
  responses: { 201: jsonContent(syncSchema, "The sync"), ...validationFailed, ...notFound, ...commonErrors },
});

const list = createRoute({
  method: "get",
  path: base,
  tags,
  security,
  summary: "List a bucket's syncs",
  request: { params: bucketParams },
  responses: { 200: jsonContent(listOf(syncSchema, "SyncList"), "The syncs"), ...notFound, ...commonErrors },
});

const get = createRoute({
  method: "get",
  path: one,
  tags,
  security,
  summary: "Get a sync with its last run",
  request: { params: syncParams },
  responses: { 200: jsonContent(syncSchema, "The sync"), ...notFound, ...commonErrors },
});

const patch = createRoute({
  method: "patch",
  path: one,
  tags,
  security,
  summary: "Change a sync's settings",
  description:
    "Changing what the sync selects (connection, source_path, filters, renditions) queues a full pass.",
  request: { params: syncParams, body: jsonBody(syncPatchSchema) },
  responses: { 200: jsonContent(syncSchema, "The sync"), ...validationFailed, ...notFound, ...commonErrors },
});

const remove = createRoute({
  method: "delete",
  path: one,
  tags,
  security,
  summary: "Delete a sync",
  description: "Its runs and queued jobs go with it; the bucket's objects stay.",
  request: { params: syncParams },
  responses: { 200: jsonContent(deletedSchema, "Deleted"), ...notFound, ...commonErrors },
});

const pause = createRoute({
  method: "post",
  path: `${one}/pause`,
  tags,
  security,
  summary: "Pause a sync",
  description: "No passes run and its ingest jobs step aside until it is resumed.",
  request: { params: syncParams },
  responses: { 200: jsonContent(syncSchema, "The paused sync"), ...notFound, ...commonErrors },
});

const resume = createRoute({
  method: "post",
  path: `${one}/resume`,
  tags,
  security,
  summary: "Resume a sync",
  description:
    "Queues a full pass to catch up; `run_id` is null when a pass was already queued. Clears any suspension; deletions the deletion guard held are released, not applied.",
  request: { params: syncParams },
  responses: { 200: jsonContent(resumeResultSchema, "The resumed sync"), ...notFound, ...commonErrors },
});

const trigger = createRoute({
  method: "post",
  path: `${one}/trigger`,
  tags,
  security,
  summary: "Run a reconciliation pass now",
  request: { params: syncParams },
  responses: {
    202: jsonContent(runIdSchema, "The pass is queued"),
    ...notFound,
    ...conflict,
    ...commonErrors,
  },
});

const confirm = createRoute({
  method: "post",
  path: `${one}/confirm-deletions`,
  tags,
  security,
  summary: "Confirm the deletions the deletion guard held",
  description:
    "When more of a sync's assets went missing in Mux within an hour than DELETION_GUARD_PERCENT allows (without deletion webhooks), they are held and the sync is suspended (`deletion_guard`). This applies them: each held asset is read again and deleted if Mux still answers 404. To keep them instead, resume the sync.",
  request: { params: syncParams },
  responses: {
    200: jsonContent(confirmDeletionsSchema, "The sync, running again"),
    ...notFound,
    ...conflict,
    ...commonErrors,
  },
});

const runs = createRoute({
  method: "get",
  path: `${one}/runs`,
  tags,
  security,
  summary: "A sync's passes, newest first, with their counters",
  request: { params: syncParams, query: runListQuerySchema },
  responses: {
    200: jsonContent(listOf(runSchema, "RunList"), "The runs"),
    ...validationFailed,
    ...notFound,
    ...commonErrors,
  },
});

/** The path's ids as the verbs name them. */
function syncRef(param: { bucket_id: string; sync_id: string }) {
  return { bucketId: param.bucket_id, syncId: param.sync_id };
}

export function registerSyncRoutes(app: OpenAPIHono<HttpEnv>): void {
  app.openapi(create, async (c) => {
    const bucketId = c.req.valid("param").bucket_id;
    return c.json(await createSync(c.var.deps, { bucketId, sync: c.req.valid("json") }), 201);
  });
  app.openapi(list, async (c) =>
    c.json({ data: await listSyncs(c.var.deps, { bucketId: c.req.valid("param").bucket_id }) }, 200),
  );
  app.openapi(get, async (c) => c.json(await getSync(c.var.deps, syncRef(c.req.valid("param"))), 200));
  app.openapi(patch, async (c) =>
    c.json(
      await updateSync(c.var.deps, { ...syncRef(c.req.valid("param")), patch: c.req.valid("json") }),
      200,
    ),
  );
  app.openapi(remove, async (c) => {
    const ref = syncRef(c.req.valid("param"));
    await deleteSync(c.var.deps, ref);
    return c.json({ id: ref.syncId, deleted: true as const }, 200);
  });
  app.openapi(pause, async (c) => c.json(await pauseSync(c.var.deps, syncRef(c.req.valid("param"))), 200));
  app.openapi(resume, async (c) => c.json(await resumeSync(c.var.deps, syncRef(c.req.valid("param"))), 200));
  app.openapi(trigger, async (c) =>
    c.json({ run_id: await triggerSync(c.var.deps, syncRef(c.req.valid("param"))) }, 202),
  );
  app.openapi(confirm, async (c) =>
    c.json(await confirmDeletions(c.var.deps, syncRef(c.req.valid("param"))), 200),
  );
  app.openapi(runs, async (c) => {
    const ref = syncRef(c.req.valid("param"));
    return c.json({ data: await listRuns(c.var.deps, { ...ref, limit: c.req.valid("query").limit }) }, 200);
  });
}
