/**
 * The reference point for the webhook benchmark: the same framework and server as mux-ingest
 * (Hono on @hono/node-server), one route, no work beyond reading the body and answering with
 * the same JSON as `/webhooks/mux`. Whatever mux-ingest costs on top of this is its own.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { cpuMs, serveParent } from "../lib/child";

const app = new Hono();
let received = 0;
app.post("/webhooks/mux", async (c) => {
  await c.req.text();
  received++;
  return c.json({ received: true, duplicate: false }, 200);
});

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
  serveParent({
    ready: { url: `http://127.0.0.1:${info.port}` },
    handle: async () => ({ received, cpuMs: cpuMs() }),
    shutdown: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
});
