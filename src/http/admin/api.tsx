/**
 * The admin surface as one OpenAPI-aware Hono app: `/v1/*` behind the admin token, plus
 * `/openapi.json` and `/docs`, both generated from the route declarations (and so from the zod
 * schemas that validate the requests).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { pipelinePayloadSchema } from "../../pipeline/payload-schema";
import type { HttpEnv } from "../context";
import { requireAdminToken } from "./auth";
import { registerBucketRoutes } from "./buckets/routes";
import { registerConnectionRoutes } from "./connections/routes";
import { registerDeadLetterRoutes } from "./dead-letters/routes";
import { DocsPage, type OpenApiDocument } from "./docs-page";
import { registerJobRoutes } from "./jobs/routes";
import { registerObjectRoutes } from "./objects/routes";
import { registerSyncRoutes } from "./syncs/routes";
import { validationHook } from "./validation";

const DOCUMENT_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "mux-ingest admin API",
    version: "1",
    description:
      "Connections to Mux environments, buckets and the syncs that fill them, objects and what happened to each, and the job queue.",
  },
};

/** What the service sends, beside what it answers: the pipeline's body, as an OpenAPI 3.1 webhook. */
function registerPipelineDelivery(app: OpenAPIHono<HttpEnv>) {
  app.openAPIRegistry.registerWebhook({
    method: "post",
    path: "pipeline-delivery",
    summary: "A delivery to a bucket's pipeline",
    description:
      "POSTed to the bucket's pipeline_url (or PIPELINE_URL) for every change to the bucket's set: object.ready, object.updated, object.deleted. Signed per Standard Webhooks with the bucket's secret; webhook-id ({object_id}.v{version}) is stable across retries. Redirects are not followed; any 2xx counts as delivered. The JSON Schema is docs/pipeline-payload.schema.json.",
    request: {
      body: { content: { "application/json": { schema: pipelinePayloadSchema } }, required: true },
    },
    responses: { 200: { description: "Any 2xx: delivered" } },
  });
}

export function createAdminApi() {
  const app = new OpenAPIHono<HttpEnv>({ defaultHook: validationHook });
  app.use("/v1/*", requireAdminToken());
  app.use("/v1/*", async (c, next) => {
    await next();
    // Any admin write may change which connections and syncs a webhook reaches: drop the
    // webhook path's routing cache, so this process sees the change at once.
    if (c.req.method !== "GET") c.var.deps.routing.invalidate();
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "The value of ADMIN_TOKEN.",
  });
  registerConnectionRoutes(app);
  registerBucketRoutes(app);
  registerSyncRoutes(app);
  registerObjectRoutes(app);
  registerJobRoutes(app);
  registerDeadLetterRoutes(app);
  registerPipelineDelivery(app);

  const document = () => app.getOpenAPI31Document(DOCUMENT_CONFIG);
  app.get("/openapi.json", (c) => c.json(document()));
  app.get("/docs", (c) => c.html(<DocsPage doc={document() as unknown as OpenApiDocument} />));
  return app;
}
