/** One autocannon run of signed webhook deliveries against a URL, summarised. */
import autocannon from "autocannon";
import { round } from "./stats";
import { webhookDeliveries } from "./webhook-payload";

export type LoadRun = {
  target: string;
  connections: number;
  seconds: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Completed requests per second over the run. */
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
};

export async function loadWebhooks(options: {
  url: string;
  target: string;
  connections: number;
  seconds: number;
  secret: string;
  /** The deliveries' `environment.id` (default: one no connection is pinned to yet). */
  environmentId?: string;
}): Promise<LoadRun> {
  const deliveries = webhookDeliveries(options.secret, options.environmentId);
  const result = await autocannon({
    url: `${options.url}/webhooks/mux`,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: "/webhooks/mux",
        // A fresh event id, asset id and signature for every request: nothing is a duplicate.
        setupRequest: (request) => ({ ...request, ...deliveries.next() }),
      },
    ],
  });
  const completed = result["2xx"] + result.non2xx;
  return {
    target: options.target,
    connections: options.connections,
    seconds: result.duration,
    requests: completed,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    reqPerSec: round(completed / result.duration, 0),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.mean, 2),
    },
  };
}
