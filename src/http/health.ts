/** Liveness (the process answers) and readiness (the database answers). */
import { Hono } from "hono";
import { describeError } from "../lib/errors";
import type { HttpEnv } from "./context";
import { errorBody } from "./errors";

export function createHealthRoutes() {
  const routes = new Hono<HttpEnv>();
  routes.get("/healthz", (c) => c.json({ ok: true }));
  routes.get("/readyz", async (c) => {
    try {
      await c.var.deps.database.ping();
      return c.json({ ok: true });
    } catch (err) {
      return c.json(errorBody("NOT_READY", `The database does not answer: ${describeError(err)}`), 503);
    }
  });
  return routes;
}
