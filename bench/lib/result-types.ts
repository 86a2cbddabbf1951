/** The `data` of each benchmark's result file; `bench/report.ts` renders these. */
import type { ProfileSummary } from "./cpu-profile";
import type { AllocationSummary } from "./heap-profile";
import type { LoadRun } from "./load";
import type { Distribution } from "./stats";

export type WebhookSide = {
  /** The server process's CPU time per 2xx answer, in µs. */
  cpuUsPerRequest: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
};

/** The servers of the webhook benchmark: bare Hono, the floor and ours, each durable server at both `synchronous` settings. */
/**
 * `ours-full-node-defaults` is (c) with `synchronous=full` on node's default young generation,
 * without the installed command's start flag: what the flag costs the route, in the same rounds.
 */
export type WebhookServerName =
  | "bare"
  | "floor-normal"
  | "ours-normal"
  | "floor-full"
  | "ours-full"
  | "ours-full-node-defaults";

/** A ratio of req/s measured in the same round, as the median over rounds and each round's value. */
export type RoundRatio = { median: number; perRound: number[] };

export type WebhookLevelSummary = {
  connections: number;
  servers: Record<WebhookServerName, WebhookSide>;
  oursOverFloor: { normal: RoundRatio; full: RoundRatio };
  oursOverBare: { normal: RoundRatio; full: RoundRatio };
  /** Share of req/s that `synchronous=full` costs against `normal` (0.1 = 10 % fewer req/s). */
  fullCost: { floor: RoundRatio; ours: RoundRatio };
  /** req/s of (c) full with the start flag over (c) full without it (absent before it was measured). */
  boundedYoungOverNodeDefaults?: RoundRatio;
};

/** Every 2xx must be a recorded event: the check that a server did its durable write before answering. */
export type WebhookDurability = { acknowledged: number; eventsRecorded: number; ingestJobs: number };

export type WebhookIngestData = {
  bodyBytes: number;
  /** The `DATABASE_SYNCHRONOUS` default the code ships with when the run was made. */
  defaultSynchronous: "full" | "normal";
  runs: Array<LoadRun & { server: WebhookServerName; serverCpuUsPerRequest: number }>;
  levels: WebhookLevelSummary[];
  durability: Record<Exclude<WebhookServerName, "bare">, WebhookDurability>;
  profiles: {
    /** `allocations`: bytes allocated per request (absent before it was measured). */
    ours: ProfileSummary & { how: string; requests: number; allocations?: AllocationSummary };
    floor: ProfileSummary & { how: string; requests: number; allocations?: AllocationSummary };
    /** Ours on node's default young generation (absent before it was measured). */
    oursNodeDefaults?: ProfileSummary & { how: string; requests: number };
  };
  serverPeakRssMiB: { ours: number; floor: number };
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
  /** The largest library again without the service's memory bounds (node's young generation, V8's heap growth, SQLite's page cache). */
  unbounded?: PollerSize;
  /** The node flags the lifted sizes' children started with (absent before they were recorded). */
  childNodeFlags?: string[];
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

export type StartupSide = {
  label: string;
  help: { runs: number; wallSecondsP50: number; wallSecondsMin: number; peakRssMiB: number };
  idle: { rssMiBAt10s: number; rssMiBAt60s: number; rssMiBMax: number; rssMiBMin: number; listCalls: number };
};

export type StartupData = {
  installSeconds: number;
  tarballKiB: number;
  /** The installed package first, then the sources through tsx. */
  sides: StartupSide[];
  goals: { helpWallSeconds: number; serveIdleRssMiB: number };
};
