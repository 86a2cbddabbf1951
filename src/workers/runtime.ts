/**
 * Everything a Worker invocation needs, built from the bindings: D1 as the `Database`, the shared
 * services and app, and the Queues adapters (dispatcher, consumer). Built lazily on the first
 * invocation of an isolate and reused by the next ones.
 */

import { configSecrets } from "../config/env";
import { openD1Database } from "../db/d1";
import { createApp } from "../http/app";
import { systemClock } from "../lib/clock";
import { jsonLogger, type Logger, Redactor } from "../lib/logger";
import { SecretBox } from "../lib/secret-box";
import { JobMessageConsumer } from "../queue/cloudflare-consumer";
import { JobDispatcher } from "../queue/cloudflare-dispatch";
import { JobRunner } from "../queue/runner";
import { bootstrapFromEnv } from "../resources/bootstrap";
import { type AppServices, createServices } from "../service-graph";
import { R2ObjectStorage } from "../storage/r2";
import type { ObjectStorage } from "../storage/types";
import { readWorkerSetup, type WorkerBindings, type WorkerSetup } from "./bindings";

/**
 * Listing pages per run of a reconcile job. A page of 100 new assets costs about 106 D1 queries
 * (lookups, one enqueue each, counters), and the end of a pass adds up to ~200 more (re-checks,
 * deletion checks), so 3 pages keep one run well under D1's 1,000 queries per invocation even
 * when it shares its batch with ingest jobs. A longer pass saves its cursor and continues in the
 * next run of the job.
 */
export const RECONCILE_PAGES_PER_RUN = 3;

export type WorkerRuntime = {
  setup: WorkerSetup;
  services: AppServices;
  app: ReturnType<typeof createApp>;
  runner: JobRunner;
  dispatcher: JobDispatcher;
  consumer: JobMessageConsumer;
  /** R2 as the rendition store, when RENDITIONS is bound. */
  storage: ObjectStorage | null;
  logger: Logger;
  /** How many times the services said "jobs were written"; an invocation that saw it move dispatches. */
  notifications(): number;
};

/**
 * One runtime per isolate, keyed on the `env` object Cloudflare hands every invocation of that
 * isolate. This cache is the only module state: it keeps what is worth keeping between
 * invocations (derived encryption key, decrypted credentials, HMAC keys, Mux clients and their
 * rate-limit buckets) without a global singleton, and a different `env` (another test, a
 * redeploy) simply gets its own runtime. It holds finished runtimes only, never a promise, so one
 * invocation never waits on I/O started by another (Workers forbids sharing I/O across requests).
 */
const runtimes = new WeakMap<WorkerBindings, WorkerRuntime>();

/** The isolate's runtime for these bindings; throws `ConfigError` when the configuration is bad. */
export async function runtimeFor(env: WorkerBindings): Promise<WorkerRuntime> {
  const cached = runtimes.get(env);
  if (cached) return cached;
  const built = await buildRuntime(env);
  // Two invocations may have cold-started together: keep whichever finished first.
  const winner = runtimes.get(env) ?? built;
  runtimes.set(env, winner);
  return winner;
}

async function buildRuntime(env: WorkerBindings): Promise<WorkerRuntime> {
  const setup = readWorkerSetup(env);
  const { config } = setup;
  const clock = systemClock;
  const redactor = new Redactor();
  redactor.add(...configSecrets(config));
  const logger = jsonLogger({ level: config.logLevel, redactor, fields: { runtime: "workers" } });
  const database = openD1Database(setup.db);
  // readWorkerSetup guarantees ENCRYPTION_KEY; the fallback only satisfies the type.
  const box = await SecretBox.fromPassphrase(config.encryptionKey ?? "");
  const storage = setup.renditions ? new R2ObjectStorage(setup.renditions) : null;
  const services = createServices({
    database,
    clock,
    logger,
    redactor,
    box,
    config,
    storage,
    reconcile: { maxPagesPerRun: RECONCILE_PAGES_PER_RUN },
    // No in-isolate token bucket: its waiters would be resumed from other requests' timers, which
    // Workers does not allow, and isolates do not share it anyway. Mux's 429 + Retry-After is
    // honoured through the queue (the message is retried after the delay).
    muxRatePerSecond: null,
  });
  let notifications = 0;
  services.setJobNotifier(() => {
    notifications++;
  });
  await bootstrapFromEnv({ database, box, clock }, config);

  const runner = new JobRunner({ store: services.jobs, registry: services.registry, logger, clock });
  const dispatcher = new JobDispatcher({ database, clock, logger, producer: setup.jobs });
  const consumer = new JobMessageConsumer({
    database,
    clock,
    logger,
    store: services.jobs,
    runner,
    registry: services.registry,
  });
  return {
    setup,
    services,
    app: createApp(services),
    runner,
    dispatcher,
    consumer,
    storage,
    logger,
    notifications: () => notifications,
  };
}
