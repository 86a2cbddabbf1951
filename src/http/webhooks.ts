/**
 * `POST /webhooks/mux` and `POST /webhooks/mux/:connection_id`: read the raw body (bounded),
 * hand it to the `receiveWebhook` verb, answer. A 2xx is only sent once the event and its jobs
 * are durably written; any internal failure surfaces as 5xx so that Mux retries.
 */
import { Hono } from "hono";
import { AppError } from "../lib/errors";
import { WebhookSignatureError } from "../mux/signature";
import { receiveWebhook } from "../resources/webhook-events";
import type { HttpEnv } from "./context";
import { readRawBody } from "./raw-body";

export type WebhookRouteConfig = { maxBodyBytes: number };

export function createWebhookRoutes(config: WebhookRouteConfig) {
  const routes = new Hono<HttpEnv>();
  const handler = async (c: import("hono").Context<HttpEnv>) => {
    const { deps } = c.var;
    const rawBody = await readRawBody(c.req.raw, config.maxBodyBytes);
    try {
      const result = await receiveWebhook(deps, {
        connectionId: c.req.param("connection_id") ?? null,
        rawBody,
        signature: c.req.header("mux-signature") ?? null,
      });
      // Debug, not info: Mux sends several events per asset; counts are in /metrics.
      c.var.logger.debug("Webhook received", {
        event_id: result.eventId,
        type: result.type,
        duplicate: result.duplicate,
        outcome: result.outcome,
        jobs: result.jobs,
        connection_id: result.connectionId,
      });
      deps.metrics.webhookReceived(result.type, result.duplicate ? "duplicate" : result.outcome);
      return c.json({ received: true, duplicate: result.duplicate }, 200);
    } catch (err) {
      if (err instanceof WebhookSignatureError || (err instanceof AppError && err.code === "UNAUTHORIZED")) {
        // The only trace a forged or stale request leaves.
        deps.metrics.signatureFailure(err instanceof WebhookSignatureError ? err.reason : "no_secret");
        c.var.logger.warn("Webhook signature rejected", {
          reason: err instanceof WebhookSignatureError ? err.reason : "no_secret",
          error: err.message,
        });
      }
      throw err;
    }
  };
  routes.post("/webhooks/mux", handler);
  routes.post("/webhooks/mux/:connection_id", handler);
  return routes;
}
