/**
 * The service's settings: plain values, grouped by the part of the graph that reads them. The
 * entries turn the parsed configuration into settings here, once (`settingsFromConfig`); tests
 * and benchmarks start from the same function and change a value before building the graph,
 * never after. Values that no variable sets are named constants of the module that owns them.
 */
import type { Config } from "./config/env";
import { WEBHOOK_BODY_LIMIT_BYTES } from "./http/body-limits";
import type { HttpSettings } from "./http/context";
import type { LogLevel } from "./lib/logger";
import { DEFAULT_STALL_TIMEOUT_MS } from "./lib/stall-guard";
import {
  DEFAULT_MUX_MAX_RETRIES,
  DEFAULT_MUX_TIMEOUT_MS,
  MUX_GETS_PER_SECOND,
  MUX_POST_BURST,
  MUX_POSTS_PER_SECOND,
} from "./mux/client";
import { DEFAULT_TOLERANCE_SECONDS } from "./mux/signature";
import { FINISHED_JOB_RETENTION_MS } from "./queue/runner";
import type { DefaultSyncSpec } from "./resources/bootstrap";
import type { MuxApiSettings } from "./sync/connection-credentials";
import type {
  ImageSettings,
  IngestSettings,
  PipelineSettings,
  ReconcileSettings,
  RetentionSettings,
  StreamSettings,
  WebhookSettings,
} from "./sync/deps";
import { DAY_MS } from "./sync/retention";

export type QueueSettings = {
  maxAttempts: number;
  /** How long a claimed job stays leased without a heartbeat (a crashed worker's jobs come back after it). */
  leaseMs: number;
  /** Node: concurrent job loops. */
  concurrency: number;
  /** Node: longest idle wait between looks at the table (other processes may enqueue). */
  pollIntervalMs: number;
  finishedJobRetentionMs: number;
};

export type Settings = {
  log: { level: LogLevel };
  /** Every secret in the configuration: no log line may carry one. */
  secrets: string[];
  muxApi: MuxApiSettings;
  queue: QueueSettings;
  stream: StreamSettings;
  images: ImageSettings;
  pipeline: PipelineSettings;
  ingest: IngestSettings;
  reconcile: ReconcileSettings;
  webhooks: WebhookSettings;
  retention: RetentionSettings;
  http: HttpSettings;
  /** The default connection, bucket and sync the environment describes (null without MUX_TOKEN_ID). */
  defaults: DefaultSyncSpec | null;
};

/** How often the Node runner looks at the table when nothing rang. */
const NODE_POLL_INTERVAL_MS = 500;
/** Long enough for the slowest download or pipeline fetch of a signed URL. */
const SIGNED_URL_TTL_SECONDS = 6 * 3600;
const PIPELINE_TIMEOUT_MS = 15_000;
/** Mux's `created_at` has one-second resolution: incremental passes re-list this far back. */
const RECONCILE_OVERLAP_SECONDS = 300;
const SYNC_LEASE_MS = 5 * 60_000;

export function settingsFromConfig(config: Config): Settings {
  return {
    log: { level: config.logLevel },
    secrets: configSecrets(config),
    muxApi: {
      baseUrl: config.mux.baseUrl,
      ratePerSecond: MUX_GETS_PER_SECOND,
      burst: MUX_GETS_PER_SECOND,
      writesPerSecond: MUX_POSTS_PER_SECOND,
      writeBurst: MUX_POST_BURST,
      maxRetries: DEFAULT_MUX_MAX_RETRIES,
      timeoutMs: DEFAULT_MUX_TIMEOUT_MS,
    },
    queue: {
      maxAttempts: config.jobMaxAttempts,
      leaseMs: config.jobLeaseSeconds * 1000,
      concurrency: config.workerConcurrency,
      pollIntervalMs: NODE_POLL_INTERVAL_MS,
      finishedJobRetentionMs: FINISHED_JOB_RETENTION_MS,
    },
    stream: {
      baseUrl: config.mux.streamBaseUrl,
      signedUrlTtlSeconds: SIGNED_URL_TTL_SECONDS,
      downloadStallTimeoutMs: DEFAULT_STALL_TIMEOUT_MS,
    },
    images: { baseUrl: config.mux.imageBaseUrl },
    pipeline: {
      defaultUrl: config.pipeline.url ?? null,
      secret: config.pipeline.secret ?? null,
      timeoutMs: PIPELINE_TIMEOUT_MS,
    },
    ingest: {
      renditionGraceMs: config.renditionGraceSeconds * 1000,
      deletionGuardPercent: config.deletionGuardPercent,
    },
    reconcile: {
      overlapSeconds: RECONCILE_OVERLAP_SECONDS,
      fullSweepIntervalMs: config.reconcile.fullSweepIntervalSeconds * 1000,
      recheckBudget: config.reconcile.recheckBudget,
      maxPagesPerRun: Number.POSITIVE_INFINITY,
      failureThreshold: config.reconcile.suspendAfterFailedPasses,
      leaseMs: SYNC_LEASE_MS,
    },
    webhooks: { toleranceSeconds: DEFAULT_TOLERANCE_SECONDS },
    retention: { retentionMs: config.retentionDays * DAY_MS },
    http: {
      adminToken: config.adminToken ?? null,
      metricsToken: config.metricsToken ?? null,
      webhookBodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
      trustProxy: config.trustProxy,
      clientAddress: "socket",
    },
    defaults: defaultSyncSpec(config),
  };
}

/** The default connection, bucket and sync the environment describes, or null without a token. */
export function defaultSyncSpec(config: Config): DefaultSyncSpec | null {
  const { tokenId, tokenSecret } = config.mux;
  if (!tokenId || !tokenSecret) return null;
  return {
    tokenId,
    tokenSecret,
    webhookSecrets: config.mux.webhookSecrets,
    signingKeyId: config.mux.signingKeyId ?? null,
    privateKey: config.mux.privateKey ?? null,
    pipelineUrl: config.pipeline.url ?? null,
    sourcePath: config.sync.sourcePath,
    syncMode: config.sync.syncMode,
    pollingIntervalSeconds: config.sync.pollingIntervalSeconds,
    createRenditions: config.sync.createRenditions,
    removeCreatedRenditions: config.sync.removeCreatedRenditions,
    waitFor: config.sync.waitFor,
    waitForGraceSeconds: config.sync.waitForGraceSeconds,
  };
}

/** Every secret the configuration holds, for the log redactor. */
function configSecrets(config: Config): string[] {
  return [
    config.mux.tokenSecret,
    config.mux.privateKey,
    config.pipeline.secret,
    config.adminToken,
    config.metricsToken,
    config.encryptionKey,
    ...config.mux.webhookSecrets,
  ].filter((secret): secret is string => Boolean(secret));
}
