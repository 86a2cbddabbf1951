/** `/v1/connections`: credentials for Mux environments (secrets write-only). */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { testConnection } from "../../../resources/connection-test";
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from "../../../resources/connections";
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
  connectionCreateSchema,
  connectionParams,
  connectionPatchSchema,
  connectionSchema,
  connectionTestResultSchema,
  validateQuerySchema,
} from "./schemas";

const tags = ["Connections"];

const create = createRoute({
  method: "post",
  path: "/v1/connections",
  tags,
  security,
  summary: "Create a connection",
  description:
    "Stores credentials for one Mux environment. Secrets are encrypted at rest and answered only as masks. With `?validate=true` (or `validate: true` in the body) the credentials are tested against Mux first and nothing is saved if Mux refuses them.",
  request: { query: validateQuerySchema, body: jsonBody(connectionCreateSchema) },
  responses: {
    201: jsonContent(connectionSchema, "The connection, secrets masked"),
    ...validationFailed,
    ...commonErrors,
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/connections",
  tags,
  security,
  summary: "List connections",
  responses: {
    200: jsonContent(listOf(connectionSchema, "ConnectionList"), "Every connection"),
    ...commonErrors,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/connections/{id}",
  tags,
  security,
  summary: "Get a connection",
  request: { params: connectionParams },
  responses: { 200: jsonContent(connectionSchema, "The connection"), ...notFound, ...commonErrors },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/connections/{id}",
  tags,
  security,
  summary: "Update or rotate a connection's credentials",
  description: "Fields left out keep their value; `null` removes an optional secret.",
  request: { params: connectionParams, query: validateQuerySchema, body: jsonBody(connectionPatchSchema) },
  responses: {
    200: jsonContent(connectionSchema, "The updated connection"),
    ...validationFailed,
    ...notFound,
    ...commonErrors,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/connections/{id}",
  tags,
  security,
  summary: "Delete a connection",
  description: "Refused (409) while syncs use it, unless `?force=true`, which deletes those syncs too.",
  request: { params: connectionParams, query: forceQuerySchema },
  responses: { 200: jsonContent(deletedSchema, "Deleted"), ...notFound, ...conflict, ...commonErrors },
});

const test = createRoute({
  method: "post",
  path: "/v1/connections/{id}/test",
  tags,
  security,
  summary: "Test a connection against Mux",
  description:
    "Calls Mux with the stored credentials. `success: false` explains why: wrong token id/secret (401), a missing permission (403), or Mux unreachable. The result is recorded on the connection.",
  request: { params: connectionParams },
  responses: { 200: jsonContent(connectionTestResultSchema, "The outcome"), ...notFound, ...commonErrors },
});

export function registerConnectionRoutes(app: OpenAPIHono<HttpEnv>): void {
  app.openapi(create, async (c) => {
    const { validate } = c.req.valid("query");
    return c.json(await createConnection(c.var.deps, { connection: c.req.valid("json"), validate }), 201);
  });
  app.openapi(list, async (c) => c.json({ data: await listConnections(c.var.deps) }, 200));
  app.openapi(get, async (c) => c.json(await getConnection(c.var.deps, c.req.valid("param")), 200));
  app.openapi(patch, async (c) => {
    const { id } = c.req.valid("param");
    const { validate } = c.req.valid("query");
    return c.json(await updateConnection(c.var.deps, { id, patch: c.req.valid("json"), validate }), 200);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await deleteConnection(c.var.deps, { id, force: c.req.valid("query").force });
    return c.json({ id, deleted: true as const }, 200);
  });
  app.openapi(test, async (c) => c.json(await testConnection(c.var.deps, c.req.valid("param")), 200));
}
