/** The `data` of each benchmark's result file; `bench/report.ts` renders these. */
import type { ProfileSummary } from "./cpu-profile";
import type { LoadRun } from "./load";
import type { Distribution } from "./stats";

export type WebhookSide = {
  /** The server process's CPU time per request, in µs. */
  cpuUsPerRequest: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
};

export type WebhookLevelSummary = {
  connections: number;
  bare: WebhookSide;
  ingest: WebhookSide;
  ratio: number;
  ratioPerRound: number[];
};

export type WebhookIngestData = {
  bodyBytes: number;
  runs: Array<LoadRun & { serverCpuUsPerRequest: number }>;
  levels: WebhookLevelSummary[];
  /** Every 2xx must be a recorded event: the check that the route did its durable write. */
  durability: { acknowledged: number; eventsRecorded: number; ingestJobsPending: number };
  burst: { webhooks: number; seconds: number };
  profile: ProfileSummary & { how: string; requests: number };
  serverPeakRssMiB: number;
};

export type EndToEndData = {
  warmupAssets: number;
  /** mux-ingest's CPU time per asset during the measured phase (webhook + ingest + delivery). */
  ingestCpuMsPerAsset: number;
  /** Assets delivered per second over the whole measured phase. */
  deliveredPerSecond: number;
  assetsPerSecond: number;
  seconds: number;
  created: number;
  webhooksSent: number;
  delivered: number;
  forged: number;
  sendingSeconds: number;
  allDeliveredAfterSeconds: number;
  latencyMs: Distribution;
  /** The first and last tenth of the assets: equal means the system kept up; rising means a queue grew. */
  firstTenthMs: Distribution;
  lastTenthMs: Distribution;
  ingestPeakRssMiB: number;
  muxCalls: { retrieve: number; list: number };
};

export type QueueData = {
  enqueue: { jobs: number; sequentialPerSecond: number; concurrentPerSecond: number; inFlight: number };
  drain: Array<{
    workers: number;
    /** Finished jobs already in the table when the drain started. */
    finishedRowsBefore: number;
    jobs: number;
    seconds: number;
    jobsPerSecond: number;
    timedOut: boolean;
  }>;
};

/** What the poller's child process reports for one pass. */
export type MemoryPeaks = {
  rssBeforeMiB: number;
  /** Highest RSS sampled (every 25 ms) during the measured work. */
  rssPeakDuringMiB: number;
  heapUsedPeakMiB: number;
  /** `ru_maxrss` of the process so far. */
  processPeakRssMiB: number;
};

export type PassReport = MemoryPeaks & {
  kind: string;
  status: string;
  wallSeconds: number;
  pages: number;
  apiCalls: number;
  assetsSeen: number;
  enqueued: number;
};

export type PollerPass = PassReport & {
  /** Counted at the fake Mux. */
  listCalls: number;
  retrieveCalls: number;
  rateLimited: number;
};

export type PollerSize = {
  assets: number;
  startRssMiB: number;
  initial: PollerPass;
  incremental: PollerPass;
};

export type PollerData = {
  newAssets: number;
  lifted: PollerSize[];
  /** Each lifted size's initial pass: the child's `ru_maxrss` once it ended (start-up included). */
  peakRss?: { assets: number; peakRssMiB: number }[];
  /** The largest library's peak over the smallest's. */
  peakRatio?: number;
  rateLimited: PollerSize;
  /** The largest library again without the service's memory bounds (V8's heap growth, SQLite's page cache). */
  unbounded?: PollerSize;
};

export type DownloadData = {
  state: string;
  renditionName: string | null;
  advertisedBytes: number;
  bytes: number;
  sha256: string | null;
  downloadSeconds: number;
  ingestSeconds: number;
  mibPerSecond: number;
  startRssMiB: number;
  rssBeforeMiB: number;
  rssPeakDuringMiB: number;
  heapUsedPeakMiB: number;
  processPeakRssMiB: number;
  /** GET/HEAD requests the fake's stream host served (probes and fallbacks included). */
  streamRequests: number;
};
