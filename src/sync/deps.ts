/**
 * `Deps`, the one dependency bag: the adapters the composition root (`src/service-graph.ts`)
 * builds once, and the few settings each area reads. Verbs, jobs and rules take `deps` and name
 * the part they use (`Pick<Deps, "database" | "clock">`), so a reader sees what a function
 * touches, and nothing below the entries sees the parsed configuration as a whole.
 */
import type { Database } from "../db/client";
import type { Clock } from "../lib/clock";
import type { Logger, Redactor } from "../lib/logger";
import type { SecretBox } from "../lib/secret-box";
import type { Metrics } from "../metrics/types";
import type { HmacSha256 } from "../mux/signature";
import type { Doorbell } from "../queue/doorbell";
import type { JobStore } from "../queue/job-store";
import type { ObjectStorage } from "../storage/types";
import type { ConnectionCredentialsCache } from "./connection-credentials";
import type { WebhookRouting } from "./webhook-routing";

/** stream.mux.com: where renditions are probed, downloaded and handed to the pipeline from. */
export type StreamSettings = {
  baseUrl: string;
  /** Lifetime of the tokens signed for probes, downloads and deliveries of signed playback ids. */
  signedUrlTtlSeconds: number;
  /** A download that receives nothing for this long is abandoned and retried. */
  downloadStallTimeoutMs: number;
};

/** image.mux.com: where the thumbnails, storyboards and GIFs handed to the pipeline are served. */
export type ImageSettings = {
  baseUrl: string;
};

/** The hand-off to the feature-extraction pipeline. */
export type PipelineSettings = {
  /** Used by buckets without a pipeline URL of their own; null: their objects stop at `ready`. */
  defaultUrl: string | null;
  /**
   * PIPELINE_SECRET: sealed at start into the default bucket and into buckets without a secret.
   * Deliveries are signed with their bucket's own secret, never with this one directly.
   */
  secret: string | null;
  timeoutMs: number;
};

export type IngestSettings = {
  /** How long a ready asset may wait for an MP4 before it is skipped (`no_static_renditions`). */
  renditionGraceMs: number;
  /** Unannounced deletions per rolling hour, in % of a sync's members, before they are held. */
  deletionGuardPercent: number;
};

export type ReconcileSettings = {
  /** Re-list this far behind the watermark: Mux's `created_at` has one-second resolution. */
  overlapSeconds: number;
  /** How often a pass becomes a full sweep (deletions, drift). */
  fullSweepIntervalMs: number;
  /** Individual GETs of waiting objects per pass. */
  recheckBudget: number;
  /** Pages per job run; a longer pass continues in the next run of the job (Workers' limits). */
  maxPagesPerRun: number;
  /** Consecutive failed passes before the sync is suspended. */
  failureThreshold: number;
  /** How long one pass holds its sync before another process may take it over. */
  leaseMs: number;
};

export type WebhookSettings = {
  /** How far a `Mux-Signature` timestamp may lie in the past or the future. */
  toleranceSeconds: number;
};

export type RetentionSettings = {
  /** History older than this is pruned (`RETENTION_DAYS`); see `src/sync/retention.ts`. */
  retentionMs: number;
};

export type Deps = {
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Every secret the process knows; log lines are masked with it. */
  redactor: Redactor;
  /** Seals connection secrets at rest. */
  box: SecretBox;
  jobs: JobStore;
  /** Rung after a write that enqueued jobs, so they start now. */
  doorbell: Doorbell;
  credentials: ConnectionCredentialsCache;
  routing: WebhookRouting;
  hmac: HmacSha256;
  metrics: Metrics;
  /** Where renditions are downloaded before delivery; null: the pipeline gets the stream URL. */
  storage: ObjectStorage | null;
  /** Outbound HTTP: the stream host and the pipeline (the Mux API goes through `credentials`). */
  fetch: typeof fetch;
  stream: StreamSettings;
  images: ImageSettings;
  pipeline: PipelineSettings;
  ingest: IngestSettings;
  reconcile: ReconcileSettings;
  webhooks: WebhookSettings;
  retention: RetentionSettings;
};
