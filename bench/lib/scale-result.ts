/** The scale benchmark's result file (`bench/results/scale.json`), read by `bench/report.ts`. */
import type { LoopDelay } from "../servers/scale-server";
import type { ScaleShape, SeedReport } from "./scale-seed";

export type LatencyFigures = { n: number; p50: number; p99: number; max: number };

/** One database's figures. */
export type ScaleSide = {
  label: string;
  webhooksPerSecond: number;
  webhookRounds: number[];
  claimsPerSecond: number;
  /** Assets carried from webhook to pipeline (ingest job, delivery job) in one burst. */
  burst: { assets: number; delivered: number; seconds: number; perSecond: number };
  metrics: { sequential: LatencyFigures; concurrent: LatencyFigures };
  dashboard: LatencyFigures;
  /** `status --json`'s verb, timed in the server (no HTTP). */
  status: LatencyFigures;
  feed: { first: LatencyFigures; middle: LatencyFigures; byState: LatencyFigures; byReason: LatencyFigures };
  detail: LatencyFigures;
  /** The server's event-loop delay during each phase. */
  eventLoop: { webhooks: LoopDelay; burst: LoopDelay; scrapes: LoopDelay; reads: LoopDelay };
  fileMiB: number;
  peakRssMiB: number;
};

export type ScaleData = {
  shape: ScaleShape;
  seed: SeedReport;
  empty: ScaleSide;
  seeded: ScaleSide;
  /** Pipeline deliveries whose signature did not verify (must be 0). */
  forged: number;
};
