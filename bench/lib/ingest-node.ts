/**
 * mux-ingest for the benchmarks: the production wiring (`openNode`, the same service graph,
 * job registry, runner and Hono app as `mux-ingest serve`), with the client-side Mux rate limit
 * liftable and the HTTP server on an ephemeral loopback port.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { parseEnv } from "../../src/config/env";
import { openNode } from "../../src/node/open-node";
import type { RunnerOptions } from "../../src/queue/runner";

export type IngestNodeOptions = {
  /** The environment, exactly as `mux-ingest serve` would read it. */
  env: Record<string, string>;
  /** Mux GET/s per connection; undefined keeps the production default (5/s). */
  muxRatePerSecond?: number;
  /** Serve the HTTP app on an ephemeral loopback port. */
  http?: boolean;
  onOutcome?: RunnerOptions["onOutcome"];
};

export async function openIngestNode(options: IngestNodeOptions) {
  const config = parseEnv(options.env);
  if (!config.encryptionKey) throw new Error("Set ENCRYPTION_KEY for benchmark nodes");
  const { deps, database, runner, app } = await openNode(config, {
    adjust: (settings) => {
      if (options.muxRatePerSecond !== undefined) settings.muxApi.ratePerSecond = options.muxRatePerSecond;
    },
    onJobOutcome: options.onOutcome,
  });

  let server: ReturnType<typeof serve> | null = null;
  let url: string | null = null;
  if (options.http) {
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  return {
    config,
    deps,
    database,
    runner,
    url,
    async close() {
      if (server) {
        const closing = server;
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      await runner.stop(10_000);
      database.close();
    },
  };
}

export type IngestNode = Awaited<ReturnType<typeof openIngestNode>>;

/** Credentials shared by a benchmark's fake Mux and its mux-ingest (fixed: nothing here is secret). */
export const BENCH_CREDENTIALS = {
  tokenId: "0b7c8a52-5d7e-4f0e-9d6b-3a1f2e4c5b6d",
  tokenSecret: "bench-token-secret-0123456789",
  webhookSecret: "bench-webhook-secret-0123456789",
  pipelineSecret: "whsec_YmVuY2gtcGlwZWxpbmUtc2VjcmV0LTAxMjM0NTY3",
  encryptionKey: "bench-encryption-key-0123456789abcdef",
} as const;
