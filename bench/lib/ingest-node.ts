/**
 * mux-ingest as `startNode` builds it, with one difference the benchmarks need: the client-side
 * Mux rate limit (`createServices({ muxRatePerSecond })`) can be lifted, which `startNode` does
 * not expose. Everything else is the production wiring: the same services, job registry,
 * runner, Hono app and node-server.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/app";
import { type Config, parseEnv } from "../../src/config/env";
import { bootstrapFromEnv } from "../../src/connections/bootstrap-from-env";
import { openNodeDatabase } from "../../src/db/node";
import { systemClock } from "../../src/lib/clock";
import { jsonLogger, type Logger, Redactor } from "../../src/lib/logger";
import { SecretBox } from "../../src/lib/secret-box";
import { JobRunner, type RunnerOptions } from "../../src/queue/runner";
import { createServices } from "../../src/services";
import { FileSystemStorage } from "../../src/storage/filesystem";

export type IngestNodeOptions = {
  /** The environment, exactly as `mux-ingest serve` would read it. */
  env: Record<string, string>;
  /** Mux GET/s per connection; undefined keeps the production default (5/s). */
  muxRatePerSecond?: number;
  /** Serve the HTTP app on an ephemeral loopback port. */
  http?: boolean;
  logger?: Logger;
  onOutcome?: RunnerOptions["onOutcome"];
};

export async function openIngestNode(options: IngestNodeOptions) {
  const config: Config = parseEnv(options.env);
  const redactor = new Redactor();
  redactor.add(
    config.mux.tokenSecret,
    config.pipeline.secret,
    config.encryptionKey,
    ...config.mux.webhookSecrets,
  );
  const logger = options.logger ?? jsonLogger({ level: config.logLevel, redactor });
  const database = openNodeDatabase(config.databasePath);
  if (!config.encryptionKey) throw new Error("Set ENCRYPTION_KEY for benchmark nodes");
  const box = await SecretBox.fromPassphrase(config.encryptionKey);
  const storage = config.storageDir ? new FileSystemStorage(config.storageDir) : null;
  const services = createServices({
    database,
    clock: systemClock,
    logger,
    redactor,
    box,
    config,
    storage,
    muxRatePerSecond: options.muxRatePerSecond,
  });
  await bootstrapFromEnv({ database, box, clock: systemClock }, config);
  const runner = new JobRunner({
    store: services.jobs,
    registry: services.registry,
    logger,
    clock: systemClock,
    concurrency: config.workerConcurrency,
    pollIntervalMs: 500,
    onOutcome: options.onOutcome,
  });
  services.setJobNotifier(() => runner.notify());

  let server: ReturnType<typeof serve> | null = null;
  let url: string | null = null;
  if (options.http) {
    const app = createApp(services);
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  return {
    config,
    services,
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
