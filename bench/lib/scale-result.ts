/** The scale benchmark's result file (`bench/results/scale.json`), read by `bench/report.ts`. */
import type { ClaimFigures, LoopDelay, SqliteVariant } from "../servers/scale-server";
import type { ConsolePageKey } from "./console-pages";
import type { ProfileSummary } from "./cpu-profile";
import type { ScaleShape, SeedReport } from "./scale-seed";

export type LatencyFigures = { n: number; p50: number; p99: number; max: number };

/** A console page's figures; `non200` counts answers other than 200 (each one logged). */
export type ConsolePageFigures = LatencyFigures & { path: string; non200: number };

/** The server's reads and writes (`/proc/self/io`) per webhook or per asset. */
export type IoPerUnit = { readKiB: number; writeKiB: number; reads: number; writes: number };

/** What one webhook of the measured rounds enqueued (one ingest job per sync it concerns). */
export type WebhookWork = { ingestJobsPerWebhook: number };

/** A CPU profile of the server over one window (the profiler slows it: no rates from these). */
export type ProfiledWindow = ProfileSummary & { how: string; units: number };

/** A phase measured again with SQLite's page cache or memory map overridden (a hypothesis). */
export type SqliteVariantFigures = {
  label: string;
  sqlite: SqliteVariant;
  webhooksPerSecond: number;
  webhookIo: IoPerUnit;
  burstPerSecond: number;
};

/** One database's figures. */
export type ScaleSide = {
  label: string;
  webhooksPerSecond: number;
  webhookRounds: number[];
  claimsPerSecond: number;
  /** Assets carried from webhook to pipeline (ingest job, delivery job) in one burst. */
  burst: { assets: number; delivered: number; seconds: number; perSecond: number };
  /**
   * Scrapes over HTTP (within `METRICS_SHARED_MS` of one another they share one rendering), and
   * one rendering timed in the server, shared with nothing (absent from older results).
   */
  metrics: { sequential: LatencyFigures; concurrent: LatencyFigures; rendering?: LatencyFigures };
  dashboard: LatencyFigures;
  /** `status --json`'s verb, timed in the server (no HTTP). */
  status: LatencyFigures;
  feed: { first: LatencyFigures; middle: LatencyFigures; byState: LatencyFigures; byReason: LatencyFigures };
  detail: LatencyFigures;
  /** The server's event-loop delay during each phase (the webhooks' after their warm-up). */
  eventLoop: { webhooks: LoopDelay; burst: LoopDelay; scrapes: LoopDelay; reads: LoopDelay };
  /**
   * The same during the process's first webhooks (the warm-up) and its first burst, the first
   * jobs it runs: each path's first calls compile its code, schemas and statements.
   */
  eventLoopFirstUse?: { webhooks: LoopDelay; burst: LoopDelay };
  fileMiB: number;
  peakRssMiB: number;
  /** The fields below are absent from results written before they were measured. */
  webhookIo?: IoPerUnit;
  webhookWork?: WebhookWork;
  burstIo?: IoPerUnit;
  profiles?: { webhooks: ProfiledWindow; burst: ProfiledWindow };
  console?: Record<ConsolePageKey, ConsolePageFigures>;
  variants?: SqliteVariantFigures[];
  /** Each claim round (the rate above is their median), with its claims' times. */
  claimRounds?: ClaimFigures[];
  /** The server's event loop and collection pauses during each kind of read alone. */
  readLoops?: Record<string, LoopDelay>;
};

export type ScaleData = {
  shape: ScaleShape;
  seed: SeedReport;
  empty: ScaleSide;
  seeded: ScaleSide;
  /** Pipeline deliveries whose signature did not verify (must be 0). */
  forged: number;
};
