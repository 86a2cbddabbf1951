/**
 * Node metrics on prom-client, with one `Registry` per instance (never the global default
 * registry), so two apps in one process (tests) never share or double-register counters.
 *
 * Counters and histograms are recorded in memory as things happen, by this process (delivery
 * latency when the delivery job records the pipeline's 2xx); the database gauges are read from
 * their count rows when Prometheus scrapes. A scrape therefore reads a few rows and renders the
 * registry, whatever happened since the last one.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "../db/client";
import type { Clock } from "../lib/clock";
import { sharedComputation } from "../lib/shared-computation";
import type { JobStore } from "../queue/job-store";
import { readMetricsSnapshot } from "./snapshot";
import { METRICS_SHARED_MS, type Metrics } from "./types";

export type PrometheusMetricsOptions = {
  database: Database;
  clock: Clock;
  jobs: JobStore;
  /** Add Node's process metrics (CPU, memory, event loop). Off in tests. */
  processMetrics?: boolean;
};

const DELIVERY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const JOB_BUCKETS_S = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createPrometheusMetrics(options: PrometheusMetricsOptions): Metrics & { registry: Registry } {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const webhooks = new Counter({
    name: "mux_ingest_webhooks_received_total",
    help: "Verified Mux webhooks by event type and outcome (enqueued, duplicate, ignored, no_sync, no_asset_id).",
    labelNames: ["type", "outcome"] as const,
    registers,
  });
  const signatureFailures = new Counter({
    name: "mux_ingest_webhook_signature_failures_total",
    help: "Webhooks refused because of their Mux-Signature, by reason.",
    labelNames: ["reason"] as const,
    registers,
  });
  const jobs = new Counter({
    name: "mux_ingest_jobs_total",
    help: "Job attempts by type and outcome (completed, retried, dead, lost, unknown_type).",
    labelNames: ["type", "outcome"] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: "mux_ingest_job_duration_seconds",
    help: "Time one job attempt took, by type.",
    labelNames: ["type"] as const,
    buckets: JOB_BUCKETS_S,
    registers,
  });
  const muxRequests = new Counter({
    name: "mux_ingest_mux_api_requests_total",
    help: "HTTP requests sent to the Mux API by response status (network_error: no answer).",
    labelNames: ["status"] as const,
    registers,
  });
  const deliveryLatency = new Histogram({
    name: "mux_ingest_delivery_latency_seconds",
    help: "From an object's state change to the pipeline accepting its delivery.",
    buckets: DELIVERY_BUCKETS_S,
    registers,
  });
  const gauge = (name: string, help: string, labelNames: readonly string[]) =>
    new Gauge({ name, help, labelNames, registers });
  const queueJobs = gauge("mux_ingest_queue_jobs", "Jobs in the queue by type and status.", [
    "type",
    "status",
  ]);
  const queueAge = gauge(
    "mux_ingest_queue_oldest_due_age_seconds",
    "Age of the oldest job that is due and not yet claimed, by type.",
    ["type"],
  );
  const objects = gauge("mux_ingest_objects", "Objects by state.", ["state"]);
  const runs = gauge("mux_ingest_runs", "Reconciliation runs by kind and status.", ["kind", "status"]);
  const repaired = gauge(
    "mux_ingest_runs_repaired_assets",
    "Assets that reconciliation repaired because webhooks missed them, summed over runs.",
    ["kind", "status"],
  );
  const deliveries = gauge("mux_ingest_deliveries", "Pipeline deliveries by status.", ["status"]);

  const refresh = async () => {
    const snapshot = await readMetricsSnapshot(options.database, options.jobs, options.clock.now());
    // Reset first: a label that disappeared (no dead jobs any more) must read 0, not its last value.
    for (const g of [queueJobs, queueAge, objects, runs, repaired, deliveries]) g.reset();
    for (const r of snapshot.queue) queueJobs.set({ type: r.type, status: r.status }, r.count);
    for (const r of snapshot.oldestDueAgeSeconds) queueAge.set({ type: r.type }, r.seconds);
    for (const r of snapshot.objects) objects.set({ state: r.state }, r.count);
    for (const r of snapshot.runs) {
      runs.set({ kind: r.kind, status: r.status }, r.count);
      repaired.set({ kind: r.kind, status: r.status }, r.repaired);
    }
    for (const r of snapshot.deliveries) deliveries.set({ status: r.status }, r.count);
  };

  // Scrapes within `METRICS_SHARED_MS` of one another share one refresh and one rendering.
  const render = sharedComputation(
    async () => {
      await refresh();
      return registry.metrics();
    },
    { windowMs: METRICS_SHARED_MS, clock: options.clock },
  );

  return {
    registry,
    contentType: registry.contentType,
    webhookReceived: (type, outcome) => webhooks.inc({ type, outcome }),
    signatureFailure: (reason) => signatureFailures.inc({ reason }),
    jobOutcome: (type, outcome, durationMs) => {
      jobs.inc({ type, outcome });
      jobDuration.observe({ type }, durationMs / 1000);
    },
    muxRequest: (status) => muxRequests.inc({ status: status === 0 ? "network_error" : String(status) }),
    deliveryAccepted: (latencyMs) => deliveryLatency.observe(Math.max(0, latencyMs) / 1000),
    render,
  };
}
