/**
 * Metrics without a process to keep counters in (Workers, or a caller that wants none): the
 * recording methods do nothing, and `render` writes the database gauges in the Prometheus text
 * format by hand, so no Node-only dependency is needed.
 */
import type { Database } from "../db/client";
import type { Clock } from "../lib/clock";
import { sharedComputation } from "../lib/shared-computation";
import type { JobStore } from "../queue/job-store";
import { type MetricsSnapshot, readMetricsSnapshot } from "./snapshot";
import { METRICS_SHARED_MS, type Metrics, PROMETHEUS_CONTENT_TYPE } from "./types";

export function createDbOnlyMetrics(deps: { database: Database; clock: Clock; jobs: JobStore }): Metrics {
  // Scrapes within `METRICS_SHARED_MS` of one another share one read of the database.
  const render = sharedComputation(
    async () => formatSnapshot(await readMetricsSnapshot(deps.database, deps.jobs, deps.clock.now())),
    { windowMs: METRICS_SHARED_MS, clock: deps.clock },
  );
  return {
    webhookReceived() {},
    signatureFailure() {},
    jobOutcome() {},
    muxRequest() {},
    deliveryAccepted() {},
    contentType: PROMETHEUS_CONTENT_TYPE,
    render,
  };
}

type Sample = { labels: Record<string, string>; value: number };

function family(name: string, help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const { labels, value } of samples) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    lines.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`);
  }
  return lines.join("\n");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function formatSnapshot(s: MetricsSnapshot): string {
  return `${[
    family(
      "mux_ingest_queue_jobs",
      "Jobs in the queue by type and status.",
      s.queue.map((r) => ({ labels: { type: r.type, status: r.status }, value: r.count })),
    ),
    family(
      "mux_ingest_queue_oldest_due_age_seconds",
      "Age of the oldest job that is due and not yet claimed.",
      s.oldestDueAgeSeconds.map((r) => ({ labels: { type: r.type }, value: r.seconds })),
    ),
    family(
      "mux_ingest_objects",
      "Objects by state.",
      s.objects.map((r) => ({ labels: { state: r.state }, value: r.count })),
    ),
    family(
      "mux_ingest_runs",
      "Reconciliation runs by kind and status.",
      s.runs.map((r) => ({ labels: { kind: r.kind, status: r.status }, value: r.count })),
    ),
    family(
      "mux_ingest_runs_repaired_assets",
      "Assets that reconciliation repaired because webhooks missed them, summed over runs.",
      s.runs.map((r) => ({ labels: { kind: r.kind, status: r.status }, value: r.repaired })),
    ),
    family(
      "mux_ingest_deliveries",
      "Pipeline deliveries by status.",
      s.deliveries.map((r) => ({ labels: { status: r.status }, value: r.count })),
    ),
  ].join("\n")}\n`;
}
