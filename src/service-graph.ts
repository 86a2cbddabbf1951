/**
 * The composition root shared by every runtime: from a database, a clock, a logger and the
 * parsed configuration, it wires the domain services once. Entries (`node.ts`, `worker.ts`,
 * tests) build it; nothing in here touches a runtime API.
 */
import { z } from "zod";
import type { Config } from "./config/env";
import type { Database } from "./db/client";
import { createDeliveryJob } from "./jobs/deliver";
import { createDownloadJob } from "./jobs/download";
import { INGEST_JOB, type IngestServices, ingestAsset, pipelineUrlFor } from "./jobs/ingest";
import {
  DEFAULT_RECONCILE_SETTINGS,
  failRun,
  type ReconcileSettings,
  runReconcilePass,
} from "./jobs/reconcile";
import type { Clock } from "./lib/clock";
import type { Logger, Redactor } from "./lib/logger";
import type { SecretBox } from "./lib/secret-box";
import { createDbOnlyMetrics } from "./metrics/db-only";
import type { Metrics } from "./metrics/types";
import { type HmacSha256, WebCryptoHmac } from "./mux/signature";
import { JobStore } from "./queue/job-store";
import type { JobRegistry } from "./queue/types";
import { RECONCILE_JOB } from "./resources/passes";
import type { WebhookServices } from "./resources/webhook-events";
import type { ObjectStorage } from "./storage/types";
import { ConnectionCredentialsCache } from "./sync/connection-credentials";
import { markObjectFailed } from "./sync/mark-failed";
import { WebhookRouting } from "./sync/webhook-routing";

export type ServiceOptions = {
  database: Database;
  clock: Clock;
  logger: Logger;
  redactor: Redactor;
  box: SecretBox;
  config: Config;
  /** Outbound HTTP (Mux API, stream host, pipeline). Tests inject msw-backed or fake fetches. */
  fetch?: typeof fetch;
  /** Mux GET/s per connection; tests lift it. */
  muxRatePerSecond?: number | null;
  muxMaxRetries?: number;
  random?: () => number;
  reconcile?: Partial<ReconcileSettings>;
  /** Defaults to the database-only variant (no in-process counters). */
  metrics?: Metrics;
  /** HMAC for webhook signatures; Web Crypto by default, node:crypto on Node. */
  hmac?: HmacSha256;
  /** Download renditions here before delivery (`STORAGE_DIR` on Node, R2 on Workers). */
  storage?: ObjectStorage | null;
};

export type AppServices = IngestServices &
  WebhookServices & {
    config: Config;
    reconcile: ReconcileSettings;
    redactor: Redactor;
    box: SecretBox;
    registry: JobRegistry;
    metrics: Metrics;
    /** Replaced by the runtime: the Node runner's notify, or the Workers queue dispatcher. */
    setJobNotifier(notify: () => void): void;
  };

const ingestPayloadSchema = z.object({
  syncId: z.string(),
  assetId: z.string(),
  via: z.enum(["webhook", "poll", "trigger"]).default("poll"),
  runId: z.string().optional(),
  repairs: z.boolean().optional(),
  snapshot: z.unknown().optional(),
  snapshotAt: z.number().optional(),
});

const reconcilePayloadSchema = z.object({ syncId: z.string(), runId: z.string() });

export function createServices(options: ServiceOptions): AppServices {
  const { database, clock, logger, config } = options;
  const metrics = options.metrics ?? createDbOnlyMetrics({ database, clock });
  const jobs = new JobStore(database, clock, {
    maxAttempts: config.jobMaxAttempts,
    leaseMs: config.jobLeaseSeconds * 1000,
    random: options.random,
  });
  const credentials = new ConnectionCredentialsCache(
    database,
    options.box,
    clock,
    {
      baseUrl: config.mux.baseUrl,
      ratePerSecond: options.muxRatePerSecond,
      maxRetries: options.muxMaxRetries,
      fetch: options.fetch,
      onRequest: (_connectionId, status) => metrics.muxRequest(status),
    },
    options.redactor,
  );
  let notifier: () => void = () => {};

  const services: AppServices = {
    config,
    reconcile: {
      ...DEFAULT_RECONCILE_SETTINGS,
      fullSweepIntervalMs: config.reconcile.fullSweepIntervalSeconds * 1000,
      recheckBudget: config.reconcile.recheckBudget,
      failureThreshold: config.reconcile.suspendAfterFailedPasses,
      ...options.reconcile,
    },
    database,
    clock,
    logger,
    redactor: options.redactor,
    box: options.box,
    jobs,
    credentials,
    hmac: options.hmac ?? new WebCryptoHmac(),
    routing: new WebhookRouting(database),
    streamBaseUrl: config.mux.streamBaseUrl,
    renditionGraceMs: config.renditionGraceSeconds * 1000,
    defaultPipelineUrl: config.pipeline.url ?? null,
    fetch: options.fetch,
    storage: options.storage ?? null,
    notifyJobs: () => notifier(),
    setJobNotifier(notify) {
      notifier = notify;
    },
    registry: {},
    metrics,
  };

  services.registry = {
    [INGEST_JOB]: {
      handle: async (job) => {
        await ingestAsset(services, ingestPayloadSchema.parse(job.payload));
      },
      onDead: (job, error) => markObjectFailed(services, job, error),
    },
    [RECONCILE_JOB]: {
      handle: (job) => runReconcilePass(services, reconcilePayloadSchema.parse(job.payload)),
      onDead: async (job, error) => {
        const { syncId, runId } = reconcilePayloadSchema.parse(job.payload);
        const sync = await database.db.query.syncs.findFirst({ where: (s, { eq }) => eq(s.id, syncId) });
        if (sync) await failRun(services, services.reconcile, sync, runId, error);
      },
    },
    ...createDeliveryJob(services, config.pipeline.secret ?? null),
    ...(options.storage
      ? createDownloadJob(
          services,
          options.storage,
          async (bucketId) => (await pipelineUrlFor(services, bucketId)) !== null,
        )
      : {}),
  };
  return services;
}
