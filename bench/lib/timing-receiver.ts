/**
 * A pipeline endpoint for the end-to-end benchmark: verifies each delivery's Standard Webhooks
 * signature (as the demo's receiver and any real consumer do) and notes, per asset, when its
 * first `object.ready` arrived, on this process's monotonic clock.
 */
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Webhook } from "standardwebhooks";

type Delivery = { type: string; data: { source: { asset_id: string } } };

export type TimingReceiver = {
  url: string;
  /** Asset id → `performance.now()` when its first `object.ready` arrived. */
  readyAt: Map<string, number>;
  forged(): number;
  close(): Promise<void>;
};

export async function startTimingReceiver(secret: string): Promise<TimingReceiver> {
  const verifier = new Webhook(secret);
  const readyAt = new Map<string, number>();
  let forged = 0;
  const app = new Hono();
  app.post("/pipeline", async (c) => {
    const arrived = performance.now();
    const body = await c.req.text();
    try {
      verifier.verify(body, {
        "webhook-id": c.req.header("webhook-id") ?? "",
        "webhook-timestamp": c.req.header("webhook-timestamp") ?? "",
        "webhook-signature": c.req.header("webhook-signature") ?? "",
      });
    } catch {
      forged++;
      return c.json({ error: "bad signature" }, 401);
    }
    const delivery = JSON.parse(body) as Delivery;
    const assetId = delivery.data.source.asset_id;
    if (delivery.type === "object.ready" && !readyAt.has(assetId)) readyAt.set(assetId, arrived);
    return c.json({ ok: true });
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pipeline`,
    readyAt,
    forged: () => forged,
    close: () =>
      new Promise<void>((resolve) => {
        // Idle keep-alive sockets would otherwise hold the server open.
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
