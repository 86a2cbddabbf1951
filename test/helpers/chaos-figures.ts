import type { FakeMuxStats } from "../../src/fake-mux/index";
import type { ChangeCounts } from "./chaos-changes";
import type { ChaosPipeline } from "./chaos-pipeline";

/**
 * The figures one chaos run measures, as written to `test-results/chaos.json` and turned into the
 * figures section of RELIABILITY.md by `scripts/reliability-report.ts` (never typed by hand).
 */
export type ChaosFigures = {
  seed: number;
  finishedAt: string;
  /** `eligible`: the qualifying set at the end; `delivered`: what the pipeline holds of it. */
  assets: { created: number; eligible: number; delivered: number; skipped: Record<string, number> };
  /** What changed in the library and the sync during the run. */
  changes: ChangeCounts & { filterChanges: number; environmentSwitches: number; assetsTouched: number };
  /** Distinct deliveries the pipeline processed, by type (`object.deleted:<reason>`). */
  deliveries: Record<string, number>;
  webhooks: {
    emitted: number;
    sent: number;
    dropped: number;
    duplicated: number;
    failedAttempts: number;
    gaveUp: number;
    recordedEvents: number;
  };
  kills: { sigkill: number; atSeconds: number[] };
  muxApi: {
    listCalls: number;
    retrieveCalls: number;
    injected5xx: number;
    rateLimited429: number;
    rateLimitBursts: number;
  };
  pipeline: {
    requests: number;
    injected5xx: number;
    lostAnswers: number;
    timeouts: number;
    processed: number;
    distinctDeliveryIds: number;
    duplicatesSameId: number;
    forged: number;
  };
  repairedByPoller: number;
  /** Error-level log lines of the service, by message (what it had to recover from). */
  serviceErrors: Record<string, number>;
  convergeSeconds: { afterLastChange: number; afterLastKill: number; total: number };
  invariants: {
    mirrorHolds: boolean;
    wrongDeletions: number;
    changeViolations: number;
    jobsPendingOrRunning: number;
    deadLetter: number;
    integrityCheck: string;
    logLinesCheckedForSecrets: number;
    secretsInLogs: number;
  };
  settings: Record<string, string | number | boolean>;
};

/** The fake Mux's side of the run: webhooks and API calls. */
export function fakeMuxFigures(
  stats: FakeMuxStats,
  service: { recordedEvents: number; rateLimitBursts: number },
): Pick<ChaosFigures, "webhooks" | "muxApi"> {
  return {
    webhooks: {
      emitted: stats.webhooks.emitted,
      sent: stats.webhooks.sent,
      dropped: stats.webhooks.dropped,
      duplicated: stats.webhooks.duplicated,
      failedAttempts: stats.webhooks.failed,
      gaveUp: stats.webhooks.gaveUp,
      recordedEvents: service.recordedEvents,
    },
    muxApi: {
      listCalls: stats.listCalls,
      retrieveCalls: stats.retrieveCalls,
      injected5xx: stats.injectedErrors,
      rateLimited429: stats.rateLimited,
      rateLimitBursts: service.rateLimitBursts,
    },
  };
}

/** The pipeline's side: what it was sent, what it processed, what it did to the service. */
export function pipelineFigures(pipeline: ChaosPipeline): ChaosFigures["pipeline"] {
  const distinct = pipeline.byId().size;
  return {
    requests: pipeline.counters.requests,
    injected5xx: pipeline.counters.injected5xx,
    lostAnswers: pipeline.counters.lostAnswers,
    timeouts: pipeline.counters.hangs,
    processed: pipeline.processed.length,
    distinctDeliveryIds: distinct,
    duplicatesSameId: pipeline.processed.length - distinct,
    forged: pipeline.counters.forged,
  };
}

/** Error-level log lines of the service, counted by message. */
export function errorsByMessage(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    if (!line.includes('"level":"error"')) continue;
    const message = String((JSON.parse(line) as { msg?: unknown }).msg);
    counts[message] = (counts[message] ?? 0) + 1;
  }
  return counts;
}
