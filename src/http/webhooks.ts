/**
 * `POST /webhooks/mux` and `POST /webhooks/mux/:connection_id`: read the raw body (bounded by
 * `body-limits.ts`, which runs first), hand it to the `receiveWebhook` verb, answer. A 2xx is only
 * sent once the event and its jobs are durably written; any internal failure surfaces as 5xx so
 * that Mux retries.
 */
import { Hono } from "hono";
import { WebhookSignatureError } from "../mux/signature";
import { receiveWebhook, UnverifiableWebhookError } from "../resources/webhook-events";
import type { HttpEnv } from "./context";
import { readRawBody } from "./raw-body";
import { securedJson } from "./security-headers";

const FIRST_DELIVERY = JSON.stringify({ received: true, duplicate: false });
const DUPLICATE = JSON.stringify({ received: true, duplicate: true });

export function createWebhookRoutes() {
  const routes = new Hono<HttpEnv>();
  const handler = async (c: import("hono").Context<HttpEnv>) => {
    const deps = c.get("deps");
    const logger = c.get("logger");
    const rawBody = await readRawBody(c.req.raw);
    try {
      const result = await receiveWebhook(deps, {
        connectionId: c.req.param("connection_id") ?? null,
        rawBody,
        signature: c.req.header("mux-signature") ?? null,
      });
      // Debug, not info: Mux sends several events per asset; counts are in /metrics.
      logger.debug("Webhook received", {
        event_id: result.eventId,
        type: result.type,
        duplicate: result.duplicate,
        outcome: result.outcome,
        jobs: result.jobs,
        connection_ids: result.connectionIds,
      });
      deps.metrics.webhookReceived(result.type, result.duplicate ? "duplicate" : result.outcome);
      return securedJson(c, result.duplicate ? DUPLICATE : FIRST_DELIVERY, 200);
    } catch (err) {
      if (err instanceof WebhookSignatureError) {
        // The only trace a forged or stale request leaves; the answer does not say which it was.
        const reason = err instanceof UnverifiableWebhookError ? err.why : err.reason;
        deps.metrics.signatureFailure(reason);
        logger.warn("Webhook signature rejected", { reason, error: err.message });
      }
      throw err;
    }
  };
  routes.post("/webhooks/mux", handler);
  routes.post("/webhooks/mux/:connection_id", handler);
  return routes;
}
