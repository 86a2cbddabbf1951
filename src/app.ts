/**
 * `createApp(services)`: the whole HTTP surface as a Hono app, built from injected services.
 * It imports no runtime: Node serves it with @hono/node-server, Workers with `fetch`.
 */
import { Hono } from "hono";
import { createDashboardRoutes } from "./dashboard/routes";
import { createAdminApi } from "./http/admin";
import type { AppEnv } from "./http/context";
import { errorBody, handleError } from "./http/errors";
import { createHealthRoutes } from "./http/health";
import { createMetricsRoutes } from "./http/metrics";
import { createWebhookRoutes } from "./http/webhooks";
import type { AppServices } from "./services";

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
