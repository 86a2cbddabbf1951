/**
 * The Node runtime: one process with the HTTP server, the job runner and the poller over an
 * embedded SQLite file. `startNode(config)` is used by `mux-ingest serve`, the demo and the
 * end-to-end tests; it returns a handle that shuts everything down in order.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import { type Config, configSecrets } from "../config/env";
import { type NodeDatabase, openNodeDatabase } from "../db/node";
import { createApp } from "../http/app";
import { type Clock, systemClock } from "../lib/clock";
import { jsonLogger, type Logger, type LogLevel, Redactor } from "../lib/logger";
import { SecretBox } from "../lib/secret-box";
import { createPrometheusMetrics } from "../metrics/prometheus";
import { nodeHmac } from "../mux/node-hmac";
import { JobRunner, type RunnerOptions } from "../queue/runner";
import { bootstrapFromEnv } from "../resources/bootstrap";
import { type AppServices, createServices } from "../service-graph";
import { FileSystemStorage } from "../storage/filesystem";
import { Poller } from "./poller";

export type NodeHandle = {
  url: string;
  port: number;
  services: AppServices;
  database: NodeDatabase;
  runner: JobRunner;
  logger: Logger;
  /** Stops accepting requests, lets in-flight work finish (bounded), closes the database. */
  close(): Promise<void>;
};

export type StartOptions = {
  clock?: Clock;
  logger?: Logger;
  /** Skip the HTTP server (one-shot CLI commands). */
  http?: boolean;
  /** Start the job runner loops and the poller (default true). */
  runJobs?: boolean;
  /** How often the poller looks for due syncs. */
  pollerTickMs?: number;
  fetch?: typeof fetch;
  /** Where log lines go (default stdout) and the least level written (default LOG_LEVEL): CLI commands keep stdout for their output. */
  logWrite?: (line: string) => void;
  logLevel?: LogLevel;
  /** Mux GET/s per connection (default 5); `null` lifts the client-side limit (benchmarks, tests). */
  muxRatePerSecond?: number | null;
  /** Also told about every job's outcome (benchmarks count them). */
  onJobOutcome?: RunnerOptions["onOutcome"];
};

/** Builds the runtime pieces shared by every Node command, without starting anything. */
export async function openNodeServices(config: Config, options: StartOptions = {}) {
  const clock = options.clock ?? systemClock;
  const redactor = new Redactor();
  redactor.add(...configSecrets(config));
  const logger =
    options.logger ??
    jsonLogger({ level: options.logLevel ?? config.logLevel, redactor, write: options.logWrite });
  const database = openNodeDatabase(config.databasePath);
  const box = await SecretBox.fromPassphrase(
    config.encryptionKey ?? localEncryptionKey(config.databasePath, logger),
  );
  const storage = config.storageDir ? new FileSystemStorage(config.storageDir) : null;
  const metrics = createPrometheusMetrics({ database, clock, processMetrics: true });
  const services = createServices({
    metrics,
    database,
    clock,
    logger,
    redactor,
    box,
    config,
    fetch: options.fetch,
    storage,
    hmac: nodeHmac,
    muxRatePerSecond: options.muxRatePerSecond,
  });
  await bootstrapFromEnv({ database, box, clock }, config);
  const runner = new JobRunner({
    store: services.jobs,
    registry: services.registry,
    logger,
    clock,
    concurrency: config.workerConcurrency,
    pollIntervalMs: 500,
    onOutcome: (type, outcome, durationMs) => {
      metrics.jobOutcome(type, outcome, durationMs);
      options.onJobOutcome?.(type, outcome, durationMs);
    },
  });
  services.setJobNotifier(() => runner.notify());
  return { services, database, runner, logger, clock };
}

export async function startNode(config: Config, options: StartOptions = {}): Promise<NodeHandle> {
  const { services, database, runner, logger } = await openNodeServices(config, options);
  const poller = new Poller(services, options.pollerTickMs);
  if (options.runJobs !== false) {
    runner.start();
    poller.start();
  }

  const app = createApp(services);
  const server = await new Promise<ReturnType<typeof serve>>((resolveServer) => {
    const s = serve({ fetch: app.fetch, port: config.server.port, hostname: config.server.host }, () =>
      resolveServer(s),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.server.host === "0.0.0.0" ? "127.0.0.1" : config.server.host;
  const url = `http://${host}:${port}`;
  logger.info("mux-ingest listening", { url, database: config.databasePath });

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      // Stop accepting first; requests already in flight (webhooks being written) complete.
      await closeServer(server);
      await poller.stop();
      await runner.stop(10_000);
      database.close();
      logger.info("mux-ingest stopped");
    })();
    return closing;
  };
  return { url, port, services, database, runner, logger, close };
}

/**
 * Stops listening and resolves once the requests in flight are answered. A keep-alive socket
 * whose request finishes after `close()` would otherwise stay open for the whole keep-alive
 * timeout (5 s) and hold the shutdown up that long, so idle sockets are swept until it is done.
 */
function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  return new Promise<void>((done) => {
    const sweep = setInterval(() => closeIdle(server), 50);
    server.close(() => {
      clearInterval(sweep);
      done();
    });
    closeIdle(server);
  });
}

function closeIdle(server: ReturnType<typeof serve>): void {
  if ("closeIdleConnections" in server) server.closeIdleConnections();
}

/**
 * Without ENCRYPTION_KEY, secrets at rest are sealed with a random key kept next to the database
 * (mode 0600): never in clear, and no configuration needed to start. Production deployments set
 * ENCRYPTION_KEY so the key does not sit beside the data.
 */
function localEncryptionKey(databasePath: string, logger: Logger): string {
  if (databasePath === ":memory:") return crypto.randomUUID() + crypto.randomUUID();
  const path = join(dirname(resolve(databasePath)), "encryption.key");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  logger.warn("ENCRYPTION_KEY is not set: generated a local key next to the database", { path });
  return key;
}
