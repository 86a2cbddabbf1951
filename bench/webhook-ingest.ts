/**
 * Benchmark 1: webhook ingest throughput and latency.
 *
 * Two servers, each in its own process: (a) a bare Hono route and (b) mux-ingest's real
 * `/webhooks/mux` (verify, dedupe, durable enqueue on a file database), started through
 * `startNode` with the job runner and poller off. autocannon, in this process, sends correctly
 * signed `video.asset.ready` deliveries with a fresh event id each, alternating a, b, a, b… so
 * the b/a ratio compares runs made under the same machine load. A last, separate run against a
 * CPU-profiled (b) shows where its time goes (the profiler slows it, so its rate is not reported).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type ChildHandle, startChild } from "./lib/child";
import { summariseProfile } from "./lib/cpu-profile";
import { BENCH_CREDENTIALS } from "./lib/ingest-node";
import { type LoadRun, loadWebhooks } from "./lib/load";
import type { WebhookIngestData, WebhookLevelSummary } from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import { median, round } from "./lib/stats";
import { WEBHOOK_BODY_BYTES } from "./lib/webhook-payload";
import type { IngestServerCounts, IngestServerReady, IngestServerRequest } from "./servers/ingest-server";

const CONNECTION_LEVELS = [10, 50];
const ROUNDS = 3;
const RUN_SECONDS = 5;
const WARMUP_SECONDS = 3;
const PROFILE_SECONDS = 5;
const BURST = 5_000;

function ingestEnv(databasePath: string): Record<string, string> {
  return {
    MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
    MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
    MUX_WEBHOOK_SECRET: BENCH_CREDENTIALS.webhookSecret,
    // Never called: the webhook path makes no Mux API call, and the runner and poller are off.
    MUX_BASE_URL: "http://127.0.0.1:9",
    DATABASE_PATH: databasePath,
    HOST: "127.0.0.1",
    PORT: "0",
    ENCRYPTION_KEY: BENCH_CREDENTIALS.encryptionKey,
    LOG_LEVEL: "info",
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-webhook-"));
  try {
    await recordBenchmark<WebhookIngestData>(
      "webhook-ingest",
      [
        `Each server runs in its own Node process; autocannon 9 runs in a third (the bench process). All three share the machine's ${cpus().length} cores.`,
        `(a) bare: Hono on @hono/node-server, one POST route that reads the body and answers the same JSON as mux-ingest.`,
        `(b) mux-ingest: \`startNode\` (the \`mux-ingest serve\` entry) on a file database, with \`runJobs: false\` so the job runner and poller do not compete for the CPU; the webhook route still verifies the signature, records the event and enqueues its ingest job durably (WAL, synchronous=NORMAL) before answering. Its per-request log line is at debug level, below the default (info), so it is not written.`,
        `Requests: signed \`video.asset.ready\` envelopes of ${WEBHOOK_BODY_BYTES} bytes, each with a fresh event id and asset id (setupRequest), so every one is a first delivery that enqueues a job.`,
        `After a ${WARMUP_SECONDS} s warm-up of each server, ${ROUNDS} rounds per connection level of ${RUN_SECONDS} s on (a) then ${RUN_SECONDS} s on (b); figures are medians over rounds, the ratio is the median of the per-round b/a ratios.`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<WebhookIngestData> {
  const secret = BENCH_CREDENTIALS.webhookSecret;
  const bare = await startChild<{ url: string }>("servers/bare-hono.ts", []);
  const ingest = await startChild<IngestServerReady>("servers/ingest-server.ts", [
    JSON.stringify({ mode: "entry", env: ingestEnv(join(dir, "webhooks.db")) }),
  ]);
  const runs: MeasuredRun[] = [];
  try {
    await loadWebhooks({
      url: bare.ready.url,
      target: "bare",
      connections: 10,
      seconds: WARMUP_SECONDS,
      secret,
    });
    const warm = await loadWebhooks({
      url: ingest.ready.url,
      target: "mux-ingest",
      connections: 10,
      seconds: WARMUP_SECONDS,
      secret,
    });
    for (const connections of CONNECTION_LEVELS) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [target, server] of [
          ["bare", bare],
          ["mux-ingest", ingest],
        ] as const) {
          const run = await measuredRun(server, { target, connections, seconds: RUN_SECONDS, secret });
          runs.push(run);
          log(run);
        }
      }
    }
    const counts = await ingest.request<IngestServerCounts>({ op: "counts" } satisfies IngestServerRequest);
    const acknowledged =
      warm.ok + runs.filter((r) => r.target === "mux-ingest").reduce((n, r) => n + r.ok, 0);
    const levels = CONNECTION_LEVELS.map((connections) => summarise(runs, connections));
    const profile = await profileIngest(dir, secret);
    return {
      bodyBytes: WEBHOOK_BODY_BYTES,
      runs,
      levels,
      durability: {
        acknowledged,
        eventsRecorded: counts.events,
        ingestJobsPending: counts.jobsByStatus["ingest:pending"] ?? 0,
      },
      burst: {
        webhooks: BURST,
        seconds: round(BURST / (levels.find((l) => l.connections === 50)?.ingest.reqPerSec ?? Number.NaN), 2),
      },
      profile,
      serverPeakRssMiB: counts.peakRssMiB,
    };
  } finally {
    await stopAll([bare, ingest]);
  }
}

type MeasuredRun = LoadRun & { serverCpuUsPerRequest: number };

/** One load run, with the server's own CPU time per request (less sensitive to a busy machine than req/s). */
async function measuredRun(
  server: ChildHandle<{ url: string }>,
  options: { target: string; connections: number; seconds: number; secret: string },
): Promise<MeasuredRun> {
  const counts = { op: "counts" } satisfies IngestServerRequest;
  const before = await server.request<{ cpuMs: number }>(counts);
  const run = await loadWebhooks({ url: server.ready.url, ...options });
  const after = await server.request<{ cpuMs: number }>(counts);
  return {
    ...run,
    serverCpuUsPerRequest: round(((after.cpuMs - before.cpuMs) * 1000) / Math.max(1, run.requests), 0),
  };
}

function summarise(runs: MeasuredRun[], connections: number): WebhookLevelSummary {
  const at = runs.filter((r) => r.connections === connections);
  const bare = at.filter((r) => r.target === "bare");
  const ingest = at.filter((r) => r.target === "mux-ingest");
  const ratios = ingest.map((run, i) => run.reqPerSec / (bare[i]?.reqPerSec ?? Number.NaN));
  const side = (list: MeasuredRun[]) => ({
    cpuUsPerRequest: median(list.map((r) => r.serverCpuUsPerRequest)),
    reqPerSec: median(list.map((r) => r.reqPerSec)),
    p50Ms: median(list.map((r) => r.latencyMs.p50)),
    p99Ms: median(list.map((r) => r.latencyMs.p99)),
    maxMs: Math.max(...list.map((r) => r.latencyMs.max)),
    non2xx: list.reduce((n, r) => n + r.non2xx + r.errors, 0),
  });
  return {
    connections,
    bare: side(bare),
    ingest: side(ingest),
    ratio: round(median(ratios), 2),
    ratioPerRound: ratios.map((r) => round(r, 2)),
  };
}

/**
 * A separate run against a fresh mux-ingest whose V8 CPU profiler (what `node --cpu-prof` uses)
 * is on for the measured window only, after a warm-up. Returns the profile's summary.
 */
async function profileIngest(dir: string, secret: string) {
  const ingest = await startChild<IngestServerReady>("servers/ingest-server.ts", [
    JSON.stringify({ mode: "entry", env: ingestEnv(join(dir, "profiled.db")) }),
  ]);
  try {
    const load = (seconds: number) =>
      loadWebhooks({
        url: ingest.ready.url,
        target: "mux-ingest (profiled)",
        connections: 10,
        seconds,
        secret,
      });
    await load(WARMUP_SECONDS);
    const path = join(dir, "webhook-route.cpuprofile");
    await ingest.request({ op: "profile-start" } satisfies IngestServerRequest);
    const run = await load(PROFILE_SECONDS);
    await ingest.request({ op: "profile-stop", path } satisfies IngestServerRequest);
    return {
      how: `V8 CPU profiler (200 µs sampling) in the server process during ${PROFILE_SECONDS} s of autocannon -c 10, after a ${WARMUP_SECONDS} s warm-up`,
      requests: run.requests,
      ...summariseProfile(path),
    };
  } finally {
    await ingest.stop();
  }
}

async function stopAll(children: Array<ChildHandle<unknown>>): Promise<void> {
  await Promise.all(children.map((child) => child.stop()));
}

function log(run: LoadRun): void {
  console.error(
    `  ${run.target.padEnd(10)} c=${run.connections} ${run.reqPerSec} req/s p50 ${run.latencyMs.p50} ms p99 ${run.latencyMs.p99} ms max ${run.latencyMs.max} ms non2xx ${run.non2xx} errors ${run.errors}`,
  );
}

await main();
