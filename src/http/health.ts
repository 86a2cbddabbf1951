/**
 * Liveness (the process answers) and readiness (the database answers). Secrets the current
 * ENCRYPTION_KEY cannot open make readiness `degraded`, still 200: readiness gates traffic to
 * the whole instance, every instance shares the database and the key, and the other connections
 * and buckets still work, so a 503 would take the whole service out of its load balancer (and
 * have Mux retry, then disable, every connection's endpoint) over one connection's secrets.
 */
import { Hono } from "hono";
import { describeError } from "../lib/errors";
import { findUnopenableSecrets } from "../resources/sealed-secrets";
import type { HttpEnv } from "./context";
import { errorBody } from "./errors";

export function createHealthRoutes() {
  const routes = new Hono<HttpEnv>();
  routes.get("/healthz", (c) => c.json({ ok: true }));
  routes.get("/readyz", async (c) => {
    try {
      await c.var.deps.database.ping();
    } catch (err) {
      return c.json(errorBody("NOT_READY", `The database does not answer: ${describeError(err)}`), 503);
    }
    const unopenable = await findUnopenableSecrets(c.var.deps);
    if (unopenable.connections.length === 0 && unopenable.buckets.length === 0) return c.json({ ok: true });
    return c.json({
      ok: true,
      degraded: true,
      message:
        "Some secrets cannot be opened with the current ENCRYPTION_KEY: these connections and buckets are out of service",
      unopenable_connections: unopenable.connections,
      unopenable_buckets: unopenable.buckets,
    });
  });
  return routes;
}
