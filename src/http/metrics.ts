/** `GET /metrics`: Prometheus text, from whichever `Metrics` the runtime wired in. */
import { Hono } from "hono";
import type { HttpEnv } from "./context";

export function createMetricsRoutes() {
  const routes = new Hono<HttpEnv>();
  routes.get("/metrics", async (c) => {
    const metrics = c.var.deps.metrics;
    return c.body(await metrics.render(), 200, { "content-type": metrics.contentType });
  });
  return routes;
}
