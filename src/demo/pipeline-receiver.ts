/**
 * The demo's stand-in for a feature-extraction pipeline: an HTTP endpoint on loopback that
 * verifies each delivery's Standard Webhooks signature (as a real consumer must), refuses forged
 * ones, and remembers what it received, deduplicating on the delivery id as the contract allows.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Webhook } from "standardwebhooks";

export type PipelineEvent = {
  type: string;
  data: { object_id: string; source: { asset_id: string }; tracks?: Array<{ type: string }> };
};

export type PipelineReceiver = {
  url: string;
  /** Deliveries accepted, by delivery id (duplicates collapse). */
  deliveries: Map<string, PipelineEvent>;
  duplicates: number;
  forged: number;
  close(): Promise<void>;
};

export async function startPipelineReceiver(secret: string): Promise<PipelineReceiver> {
  const verifier = new Webhook(secret);
  const deliveries = new Map<string, PipelineEvent>();
  const receiver = { duplicates: 0, forged: 0 };
  const app = new Hono();
  app.post("/pipeline", async (c) => {
    const body = await c.req.text();
    try {
      verifier.verify(body, {
        "webhook-id": c.req.header("webhook-id") ?? "",
        "webhook-timestamp": c.req.header("webhook-timestamp") ?? "",
        "webhook-signature": c.req.header("webhook-signature") ?? "",
      });
    } catch {
      receiver.forged++;
      return c.json({ error: "bad signature" }, 401);
    }
    const id = c.req.header("webhook-id") ?? "";
    if (deliveries.has(id)) receiver.duplicates++;
    deliveries.set(id, JSON.parse(body) as PipelineEvent);
    return c.json({ ok: true });
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pipeline`,
    deliveries,
    get duplicates() {
      return receiver.duplicates;
    },
    get forged() {
      return receiver.forged;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
