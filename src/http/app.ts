/**
 * `createApp(deps, http)`: the whole HTTP surface as a Hono app, over the dependency bag the
 * composition root built. It imports no runtime: Node serves it with @hono/node-server, Workers
 * with `fetch`.
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { Deps } from "../sync/deps";
import { createAdminApi } from "./admin/api";
import { createAssetRoutes } from "./assets";
import { bodyRules, guardBodies } from "./body-limits";
import type { HttpEnv, HttpSettings } from "./context";
import { createConsoleRoutes } from "./dashboard/console-routes";
import { createDashboardRoutes } from "./dashboard/routes";
import { createSyncConsoleRoutes } from "./dashboard/sync-console-routes";
import { errorBody, handleError } from "./errors";
import { createHealthRoutes } from "./health";
import { createMetricsRoutes } from "./metrics";
import { securityHeaders } from "./security-headers";
import { createWebhookRoutes } from "./webhooks";

export function createApp(deps: Deps, http: HttpSettings) {
  const app = new Hono<HttpEnv>();

  // A caller's X-Request-Id is kept only when short and plain (it is logged and echoed).
  app.use(requestId({ limitLength: 128 }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("http", http);
    c.set("logger", deps.logger.child({ request_id: c.get("requestId") }));
    await next();
  });
  app.use(securityHeaders());

  // Before every route and its authentication: an oversized or mistyped body is refused unread.
  guardBodies(app, bodyRules(http));

  app.route("/", createHealthRoutes());
  app.route("/", createWebhookRoutes());
  app.route("/", createMetricsRoutes());
  app.route("/", createAdminApi());
  app.route("/", createDashboardRoutes());
  app.route("/", createConsoleRoutes());
  app.route("/", createSyncConsoleRoutes());
  app.route("/", createAssetRoutes());

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(handleError);
  return app;
}

export type HttpApp = ReturnType<typeof createApp>;
