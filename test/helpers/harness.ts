/**
 * A fresh service graph per test, built by the one composition root: in-memory SQLite migrated
 * from `migrations/`, a manual clock, a real SecretBox and a logger whose lines are kept for
 * assertions. Settings a test needs differently are changed before the graph is built (`adjust`).
 */
import { type Config, parseEnv } from "../../src/config/env";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import type { HttpApp } from "../../src/http/app";
import { ManualClock } from "../../src/lib/clock";
import { SecretBox } from "../../src/lib/secret-box";
import type { JobRunner } from "../../src/queue/runner";
import { bootstrapDefaults } from "../../src/resources/bootstrap";
import { createServiceGraph, type GraphAdapters } from "../../src/service-graph";
import { type Settings, settingsFromConfig } from "../../src/settings";
import { FileSystemStorage } from "../../src/storage/filesystem";
import type { Deps } from "../../src/sync/deps";

export const TEST_TOKEN_ID = "11111111-2222-4333-8444-555555555555";
export const TEST_TOKEN_SECRET = "test-token-secret-value";
export const TEST_WEBHOOK_SECRET = "test-webhook-secret-1";
export const TEST_PIPELINE_SECRET = "whsec_dGVzdC1waXBlbGluZS1zZWNyZXQtMTIzNDU2Nzg5MA==";
/** 2026-01-01T00:00:00Z */
export const T0 = 1_767_225_600_000;

export type Harness = {
  deps: Deps;
  database: NodeDatabase;
  clock: ManualClock;
  app: HttpApp;
  runner: JobRunner;
  logs: string[];
  config: Config;
  settings: Settings;
  close(): void;
};

export type HarnessOptions = {
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Create the default connection/bucket/sync from the env (default true). */
  bootstrap?: boolean;
  random?: () => number;
  /** Settings no variable sets, changed before the graph is built. */
  adjust?: (settings: Settings) => void;
  metrics?: GraphAdapters["metrics"];
  /** The HMAC port (e.g. one that counts its calls). */
  hmac?: GraphAdapters["hmac"];
  /** An open database to build on (a restart over the same data), instead of a fresh one. */
  database?: NodeDatabase;
};

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = parseEnv({
    MUX_TOKEN_ID: TEST_TOKEN_ID,
    MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    DATABASE_PATH: ":memory:",
    ...options.env,
  });
  const settings = settingsFromConfig(config);
  settings.log.level = "debug";
  settings.muxApi.ratePerSecond = 10_000;
  settings.muxApi.writesPerSecond = 10_000;
  settings.muxApi.maxRetries = 0;
  settings.queue.concurrency = 2;
  settings.queue.pollIntervalMs = 5;
  options.adjust?.(settings);
  const database = options.database ?? openNodeDatabase(":memory:");
  const clock = new ManualClock(T0);
  const logs: string[] = [];
  const graph = createServiceGraph(settings, {
    database,
    box: await SecretBox.fromPassphrase("test-encryption-key-that-is-long-enough"),
    clock,
    fetch: options.fetch,
    random: options.random ?? (() => 0.5),
    storage: config.storageDir ? new FileSystemStorage(config.storageDir) : null,
    metrics: options.metrics,
    hmac: options.hmac,
    logWrite: (line) => logs.push(line),
  });
  if (options.bootstrap !== false) await bootstrapDefaults(graph.deps, settings.defaults);
  return {
    deps: graph.deps,
    database,
    clock,
    app: graph.app,
    runner: graph.runner,
    logs,
    config,
    settings,
    close: () => database.close(),
  };
}
