/**
 * `createApp(services)`: the whole HTTP surface as a Hono app, built from injected services.
 * It imports no runtime: Node serves it with @hono/node-server, Workers with `fetch`.
 */
import { Hono } from "hono";
import type { AppServices } from "../service-graph";
import { createAdminApi } from "./admin/api";
import type { AppEnv } from "./context";
import { createDashboardRoutes } from "./dashboard/routes";
import { errorBody, handleError } from "./errors";
import { createHealthRoutes } from "./health";
import { createMetricsRoutes } from "./metrics";
import { createWebhookRoutes } from "./webhooks";

export function createApp(services: AppServices) {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const requestId = c.req.header("x-request-id") ?? crypto.randomUUID();
    c.set("services", services);
    c.set("requestId", requestId);
    c.set("logger", services.logger.child({ request_id: requestId }));
    await next();
    c.header("x-request-id", requestId);
  });

  app.route("/", createHealthRoutes());
  app.route("/", createWebhookRoutes());
  app.route("/", createMetricsRoutes());
  app.route("/", createAdminApi());
  app.route("/", createDashboardRoutes());

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
