/**
 * The figures one chaos run measures, as written to `test-results/chaos.json` and turned into the
 * figures section of RELIABILITY.md by `scripts/reliability-report.ts` (never typed by hand).
 */
export type ChaosFigures = {
  seed: number;
  finishedAt: string;
  assets: { created: number; eligible: number; delivered: number; skipped: Record<string, number> };
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
  convergeSeconds: { afterLastUpload: number; afterLastKill: number; total: number };
  invariants: {
    jobsPendingOrRunning: number;
    deadLetter: number;
    integrityCheck: string;
    logLinesCheckedForSecrets: number;
    secretsInLogs: number;
  };
  settings: Record<string, string | number | boolean>;
};
