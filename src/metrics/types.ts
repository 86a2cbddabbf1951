/**
 * What the service reports about itself, behind a small interface: the Node process backs it
 * with prom-client (in-memory counters and histograms, recorded as things happen, plus gauges
 * read from the database's count rows at scrape time); Workers, which have neither a long-lived
 * process nor prom-client, use the database-only variant. Every recording method is
 * fire-and-forget and never throws.
 */
export interface Metrics {
  /** One verified webhook: its Mux event type and what became of it (`enqueued`, `duplicate`, …). */
  webhookReceived(type: string, outcome: string): void;
  /** A webhook refused for its signature: `mismatch`, `too_old`, `too_new`, `missing`, `no_secret`… */
  signatureFailure(reason: string): void;
  /** One job attempt settled (the runner's `onOutcome`). */
  jobOutcome(type: string, outcome: string, durationMs: number): void;
  /** One HTTP request sent to the Mux API, with its status (0: no answer). */
  muxRequest(status: number): void;
  /**
   * The pipeline accepted a delivery, `latencyMs` after its outbox row was written (the state
   * change), so retries and restarts in between are part of it.
   */
  deliveryAccepted(latencyMs: number): void;
  /** The Prometheus text exposition, gauges read from the database's count rows (`METRICS_SHARED_MS`). */
  render(): Promise<string>;
  readonly contentType: string;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * How long one rendering answers every scrape: a Prometheus pair scraping together (or a dozen
 * dashboards) costs one, and the figures are at most this old (scrape intervals are 10 s or more).
 */
export const METRICS_SHARED_MS = 1_000;
