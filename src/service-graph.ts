/**
 * The composition root: the one place the service graph is built. From settings (plain values,
 * `settings.ts`) and the adapters a runtime chose (its database, storage, HMAC, metrics, and on
 * Workers a Queues producer), it builds everything once, each piece given its dependencies at
 * construction: the logger, the queue with its doorbell, the credentials cache, the dependency
 * bag, the job registry, the runner (and on Workers the dispatcher and consumer), the HTTP app.
 * Node (`node/open-node.ts`), Workers (`workers/runtime.ts`), the test harness and the
 * benchmarks all call `createServiceGraph`; nothing else constructs these pieces.
 */
import { countActivityStatement } from "./db/activity";
import type { Database } from "./db/client";
import { createApp, type HttpApp } from "./http/app";
import { createJobRegistry } from "./jobs/registry";
import { type Clock, systemClock } from "./lib/clock";
import { describeError } from "./lib/errors";
import { jsonLogger, type LogFields, type Logger, Redactor } from "./lib/logger";
import type { SecretBox } from "./lib/secret-box";
import { createDbOnlyMetrics } from "./metrics/db-only";
import type { Metrics } from "./metrics/types";
import { type HmacSha256, WebCryptoHmac } from "./mux/signature";
import { JobMessageConsumer } from "./queue/cloudflare-consumer";
import { JobDispatcher, type JobMessageProducer } from "./queue/cloudflare-dispatch";
import { Doorbell } from "./queue/doorbell";
import { JobStore } from "./queue/job-store";
import { type JobOutcome, JobRunner } from "./queue/runner";
import type { JobRegistry } from "./queue/types";
import type { Settings } from "./settings";
import type { ObjectStorage } from "./storage/types";
import { ConnectionCredentialsCache } from "./sync/connection-credentials";
import type { Deps } from "./sync/deps";
import { Retention } from "./sync/retention";
import { WebhookRouting } from "./sync/webhook-routing";

export type GraphAdapters = {
  database: Database;
  box: SecretBox;
  /** Default: the system clock. */
  clock?: Clock;
  /** Outbound HTTP (Mux API, stream host, pipeline); tests pass an msw-backed or fake fetch. */
  fetch?: typeof fetch;
  /** Default: Web Crypto (both runtimes); Node passes node:crypto's, which is cheaper. */
  hmac?: HmacSha256;
  /** Where renditions are downloaded (a directory on Node, R2 on Workers); none by default. */
  storage?: ObjectStorage | null;
  /** Default: gauges read from the database, no in-process counters (what Workers can have). */
  metrics?: (input: { database: Database; clock: Clock; jobs: JobStore }) => Metrics;
  /** Where log lines go (default stdout), and fields on every line. */
  logWrite?: (line: string) => void;
  logFields?: LogFields;
  /** Jitter of retries (tests pin it). */
  random?: () => number;
  /** Workers: jobs are run through Cloudflare Queues messages. */
  queues?: { producer: JobMessageProducer };
  /** Also told about every job's outcome (benchmarks count them). */
  onJobOutcome?: (type: string, outcome: JobOutcome, durationMs: number) => void;
};

export type ServiceGraph = {
  settings: Settings;
  deps: Deps;
  logger: Logger;
  registry: JobRegistry;
  runner: JobRunner;
  /** Workers only: sends queue messages for pending jobs. */
  dispatcher: JobDispatcher | null;
  /** Workers only: runs the job each queue message names. */
  consumer: JobMessageConsumer | null;
  app: HttpApp;
  /** Prunes the history tables in bounded batches (the Node maintenance loop, the Workers cron). */
  retention: Retention;
};

export function createServiceGraph(settings: Settings, adapters: GraphAdapters): ServiceGraph {
  const { database } = adapters;
  const clock = adapters.clock ?? systemClock;
  const fetcher = adapters.fetch ?? ((input, init) => fetch(input, init));
  const redactor = new Redactor();
  redactor.add(...settings.secrets);
  const logger = jsonLogger({
    level: settings.log.level,
    redactor,
    write: adapters.logWrite,
    fields: adapters.logFields,
  });
  const jobs = new JobStore(database, clock, {
    maxAttempts: settings.queue.maxAttempts,
    leaseMs: settings.queue.leaseMs,
    random: adapters.random,
  });
  const metrics = (adapters.metrics ?? createDbOnlyMetrics)({ database, clock, jobs });
  const doorbell = new Doorbell();
  const deps: Deps = {
    database,
    clock,
    logger,
    redactor,
    box: adapters.box,
    jobs,
    doorbell,
    credentials: new ConnectionCredentialsCache({
      database,
      box: adapters.box,
      clock,
      redactor,
      mux: settings.muxApi,
      fetch: fetcher,
      onRequest: (status) => {
        metrics.muxRequest(status);
        if (status === 429) return countMuxRateLimit(database, clock, logger);
      },
    }),
    routing: new WebhookRouting(database),
    hmac: adapters.hmac ?? new WebCryptoHmac(),
    metrics,
    storage: adapters.storage ?? null,
    fetch: fetcher,
    stream: settings.stream,
    images: settings.images,
    pipeline: settings.pipeline,
    ingest: settings.ingest,
    reconcile: settings.reconcile,
    webhooks: settings.webhooks,
    retention: settings.retention,
  };
  const registry = createJobRegistry(deps);
  const runner = new JobRunner({
    store: jobs,
    registry,
    doorbell,
    logger,
    clock,
    concurrency: settings.queue.concurrency,
    pollIntervalMs: settings.queue.pollIntervalMs,
    finishedRetentionMs: settings.queue.finishedJobRetentionMs,
    onOutcome: (type, outcome, durationMs) => {
      metrics.jobOutcome(type, outcome, durationMs);
      adapters.onJobOutcome?.(type, outcome, durationMs);
    },
  });
  const queues = adapters.queues;
  return {
    settings,
    deps,
    logger,
    registry,
    runner,
    dispatcher: queues ? new JobDispatcher({ database, clock, logger, producer: queues.producer }) : null,
    consumer: queues
      ? new JobMessageConsumer({ database, clock, logger, store: jobs, runner, registry })
      : null,
    app: createApp(deps, settings.http),
    retention: new Retention(deps),
  };
}

/**
 * One Mux 429 into the activity buckets, awaited by the Mux client before it backs off, so the
 * count is durable on Node and Workers alike; a count that cannot be written is logged, never
 * the Mux call's failure.
 */
async function countMuxRateLimit(database: Database, clock: Clock, logger: Logger): Promise<void> {
  try {
    await database.atomic([countActivityStatement("mux_429", clock.now())]);
  } catch (err) {
    logger.warn("Could not count a Mux 429 on the activity page", { error: describeError(err) });
  }
}
