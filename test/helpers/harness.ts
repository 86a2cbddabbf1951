/**
 * A fresh service graph per test: in-memory SQLite migrated from `migrations/`, a manual clock,
 * a real SecretBox and a logger whose lines are kept for assertions.
 */

import { type Config, parseEnv } from "../../src/config/env";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { createApp } from "../../src/http/app";
import { ManualClock } from "../../src/lib/clock";
import { jsonLogger, Redactor } from "../../src/lib/logger";
import { SecretBox } from "../../src/lib/secret-box";
import { JobRunner } from "../../src/queue/runner";
import { bootstrapFromEnv } from "../../src/resources/bootstrap";
import { type AppServices, createServices } from "../../src/service-graph";
import { FileSystemStorage } from "../../src/storage/filesystem";

export const TEST_TOKEN_ID = "11111111-2222-4333-8444-555555555555";
export const TEST_TOKEN_SECRET = "test-token-secret-value";
export const TEST_WEBHOOK_SECRET = "test-webhook-secret-1";
export const TEST_PIPELINE_SECRET = "whsec_dGVzdC1waXBlbGluZS1zZWNyZXQtMTIzNDU2Nzg5MA==";
/** 2026-01-01T00:00:00Z */
export const T0 = 1_767_225_600_000;

export type Harness = {
  services: AppServices;
  database: NodeDatabase;
  clock: ManualClock;
  app: ReturnType<typeof createApp>;
  runner: JobRunner;
  logs: string[];
  config: Config;
  close(): void;
};

export type HarnessOptions = {
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Create the default connection/bucket/sync from the env (default true). */
  bootstrap?: boolean;
  random?: () => number;
};

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = parseEnv({
    MUX_TOKEN_ID: TEST_TOKEN_ID,
    MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    DATABASE_PATH: ":memory:",
    ...options.env,
  });
  const database = openNodeDatabase(":memory:");
  const clock = new ManualClock(T0);
  const logs: string[] = [];
  const redactor = new Redactor();
  const logger = jsonLogger({ level: "debug", write: (line) => logs.push(line), redactor });
  const box = await SecretBox.fromPassphrase("test-encryption-key-that-is-long-enough");
  const services = createServices({
    database,
    clock,
    logger,
    redactor,
    box,
    config,
    fetch: options.fetch,
    muxRatePerSecond: 10_000,
    muxMaxRetries: 0,
    random: options.random ?? (() => 0.5),
    storage: config.storageDir ? new FileSystemStorage(config.storageDir) : null,
  });
  if (options.bootstrap !== false) await bootstrapFromEnv({ database, box, clock }, config);
  const runner = new JobRunner({
    store: services.jobs,
    registry: services.registry,
    logger,
    clock,
    concurrency: 2,
    pollIntervalMs: 5,
  });
  services.setJobNotifier(() => runner.notify());
  const app = createApp(services);
  return { services, database, clock, app, runner, logs, config, close: () => database.close() };
}
