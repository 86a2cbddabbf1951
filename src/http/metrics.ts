/**
 * `GET /metrics`: Prometheus text, from whichever `Metrics` the runtime wired in. With
 * `METRICS_TOKEN` set, only `Authorization: Bearer <token>` is answered (compared in constant
 * time); without it the route is open, which is safe to leave so because a scrape only reads
 * counters and a few count rows, whatever the size of the database.
 */
import { Hono } from "hono";
import { secretsEqual } from "../lib/constant-time";
import { bearerToken } from "./admin/auth";
import type { HttpEnv } from "./context";
import { errorBody } from "./errors";

export function createMetricsRoutes() {
  const routes = new Hono<HttpEnv>();
  routes.get("/metrics", async (c) => {
    const { metricsToken } = c.var.http;
    if (metricsToken !== null) {
      const bearer = bearerToken(c);
      if (bearer === null || !(await secretsEqual(bearer, metricsToken))) {
        c.header("WWW-Authenticate", 'Bearer realm="mux-ingest metrics"');
        return c.json(errorBody("UNAUTHORIZED", "Send Authorization: Bearer $METRICS_TOKEN"), 401);
      }
    }
    const metrics = c.var.deps.metrics;
    return c.body(await metrics.render(), 200, { "content-type": metrics.contentType });
  });
  return routes;
}
