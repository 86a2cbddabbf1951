/**
 * Benchmark 1: webhook ingest throughput, latency and CPU, against two reference points.
 *
 * Six servers, each in its own process: (a) a bare Hono route (the framework's own cost);
 * (b) the floor (`servers/floor.ts`): the essential work of our route written plainly on
 * node:http, with the same schema, triggers, pragmas and group commit; (c) mux-ingest's real
 * `/webhooks/mux` (verify, dedupe, durable enqueue on a file database), started through
 * `startNode` with the job runner and poller off. (b) and (c) run twice, once per
 * `DATABASE_SYNCHRONOUS` setting, and (c) full once more on node's default young generation
 * (without the installed command's start flag). autocannon, in this process, sends correctly signed
 * `video.asset.ready` deliveries with a fresh event id each, to every server in turn within a
 * round, so the ratios compare runs made under the same machine load. Last, separate runs against
 * a CPU-profiled (c) and (b) show where their time goes, and then what they allocate per request
 * (the profilers slow them: no rates).
 * About three minutes in all.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type DatabaseSynchronous, DEFAULT_DATABASE_SYNCHRONOUS } from "../src/db/synchronous";
import { YOUNG_GENERATION_FLAG } from "../src/node/heap-policy";
import { type ChildHandle, startChild } from "./lib/child";
import { summariseProfile } from "./lib/cpu-profile";
import { summariseAllocations } from "./lib/heap-profile";
import { BENCH_CREDENTIALS } from "./lib/ingest-node";
import { type LoadRun, loadWebhooks } from "./lib/load";
import { ALLOCATION_SAMPLING_BYTES } from "./lib/profiler";
import type {
  RoundRatio,
  WebhookDurability,
  WebhookIngestData,
  WebhookLevelSummary,
  WebhookServerName,
  WebhookSide,
} from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import { median, round } from "./lib/stats";
import { WEBHOOK_BODY_BYTES } from "./lib/webhook-payload";
import type { FloorCounts } from "./servers/floor";
import type { IngestServerCounts, IngestServerReady } from "./servers/ingest-server";

const CONNECTION_LEVELS = [1, 10];
const ROUNDS = 3;
const RUN_SECONDS = 4;
const WARMUP_SECONDS = 3;
const PROFILE_SECONDS = 5;
const ALLOCATION_SECONDS = 3;
const SERVERS: readonly WebhookServerName[] = [
  "bare",
  "floor-normal",
  "ours-normal",
  "floor-full",
  "ours-full",
  "ours-full-node-defaults",
];

type Server = ChildHandle<{ url: string }>;
type MeasuredRun = LoadRun & { server: WebhookServerName; serverCpuUsPerRequest: number };

function ingestEnv(databasePath: string, synchronous: DatabaseSynchronous): Record<string, string> {
  return {
    MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
    MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
    MUX_WEBHOOK_SECRET: BENCH_CREDENTIALS.webhookSecret,
    // Never called: the webhook path makes no Mux API call, and the runner and poller are off.
    MUX_BASE_URL: "http://127.0.0.1:9",
    DATABASE_PATH: databasePath,
    DATABASE_SYNCHRONOUS: synchronous,
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
        `Each server runs in its own Node process; autocannon 9 runs in another (the bench process). All share the machine's ${cpus().length} cores.`,
        `(a) bare: Hono on @hono/node-server, one POST route that reads the body and answers the same JSON as mux-ingest.`,
        `(b) floor: \`bench/servers/floor.ts\`, plain node:http and better-sqlite3, the essential work only: read the body, HMAC-SHA256 of \`Mux-Signature\` against one secret (±300 s), JSON.parse, then the \`webhook_events\` row and, if new, one ingest \`jobs\` upsert on the same unique index, in a transaction shared by the requests of one event-loop turn, answered after the COMMIT. Its database is made by our migrations (the same indexes and count triggers) and opened by \`openNodeDatabase\` (WAL, the same synchronous, WAL checkpoints on a worker thread as in \`serve\`). It starts with the same node flags as (c) (\`${YOUNG_GENERATION_FLAG}\`), so that both run on one runtime and the ratio compares their work.`,
        `(c) ours: \`startNode\` (the \`mux-ingest serve\` entry) on a file database, with \`runJobs: false\` so the job runner and poller do not compete for the CPU; the webhook route verifies the signature, records the event and enqueues its ingest job durably before answering. Its per-request log line is at debug level, below the default (info), so it is not written. It runs as the installed command starts node (\`${YOUNG_GENERATION_FLAG}\`, src/node/heap-policy.ts); (c) full runs once more without that flag, on node's default young generation, in the same rounds, to show what the flag costs the route.`,
        `(b) and (c) each run twice, with \`DATABASE_SYNCHRONOUS=normal\` and \`full\` (fresh databases); the code's default is \`${DEFAULT_DATABASE_SYNCHRONOUS}\`.`,
        `Requests: signed \`video.asset.ready\` envelopes of ${WEBHOOK_BODY_BYTES} bytes, each with a fresh event id and asset id, so every one is a first delivery that enqueues a job.`,
        `After a ${WARMUP_SECONDS} s warm-up of each server, ${ROUNDS} rounds per connection level, each round ${RUN_SECONDS} s on every server in turn; figures are medians over rounds, ratios the median of the per-round ratios. Server CPU µs per webhook is the server process's \`process.cpuUsage()\` over the run divided by its 2xx answers.`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startServer(dir: string, name: WebhookServerName, label: string = name): Promise<Server> {
  const secret = BENCH_CREDENTIALS.webhookSecret;
  if (name === "bare") return startChild<{ url: string }>("servers/bare-hono.ts", []);
  const synchronous: DatabaseSynchronous = name.includes("-full") ? "full" : "normal";
  const databasePath = join(dir, `${label}.db`);
  // The floor starts with the same node flags as ours (the young generation's bound): the ratio
  // compares the work on one runtime; what the flag costs ours is (c) full against its run
  // without it.
  if (name.startsWith("floor"))
    return startChild<{ url: string }>(
      "servers/floor.ts",
      [JSON.stringify({ databasePath, secret, synchronous })],
      { service: true },
    );
  return startChild<IngestServerReady>(
    "servers/ingest-server.ts",
    [JSON.stringify({ mode: "entry", env: ingestEnv(databasePath, synchronous) })],
    { service: name !== "ours-full-node-defaults" },
  );
}

async function measure(dir: string): Promise<WebhookIngestData> {
  const secret = BENCH_CREDENTIALS.webhookSecret;
  const servers = new Map<WebhookServerName, Server>();
  const acknowledged = new Map<WebhookServerName, number>();
  const runs: MeasuredRun[] = [];
  try {
    for (const name of SERVERS) servers.set(name, await startServer(dir, name));
    for (const [name, server] of servers) {
      const warm = await loadWebhooks({
        url: server.ready.url,
        target: name,
        connections: 10,
        seconds: WARMUP_SECONDS,
        secret,
      });
      acknowledged.set(name, warm.ok);
    }
    for (const connections of CONNECTION_LEVELS) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, server] of servers) {
          const run = await measuredRun(server, name, { connections, seconds: RUN_SECONDS, secret });
          runs.push(run);
          acknowledged.set(name, (acknowledged.get(name) ?? 0) + run.ok);
          log(run);
        }
      }
    }
    const durability = {} as WebhookIngestData["durability"];
    const peak = { ours: 0, floor: 0 };
    for (const [name, server] of servers) {
      if (name === "bare") continue;
      const ok = acknowledged.get(name) ?? 0;
      if (name.startsWith("floor")) {
        const counts = await server.request<FloorCounts>({ op: "counts" });
        durability[name] = { acknowledged: ok, eventsRecorded: counts.events, ingestJobs: counts.jobs };
        peak.floor = Math.max(peak.floor, counts.peakRssMiB);
      } else {
        const counts = await server.request<IngestServerCounts>({ op: "counts" });
        const jobs = Object.entries(counts.jobsByStatus).filter(([key]) => key.startsWith("ingest:"));
        durability[name] = {
          acknowledged: ok,
          eventsRecorded: counts.events,
          ingestJobs: jobs.reduce((n, [, count]) => n + count, 0),
        } satisfies WebhookDurability;
        peak.ours = Math.max(peak.ours, counts.peakRssMiB);
      }
    }
    await stopAll([...servers.values()]);
    servers.clear();
    const profiled: WebhookServerName[] = [
      `ours-${DEFAULT_DATABASE_SYNCHRONOUS}`,
      `floor-${DEFAULT_DATABASE_SYNCHRONOUS}`,
    ];
    const [ours, floor] = [
      await profile(dir, profiled[0] ?? "ours-normal", { allocations: true }),
      await profile(dir, profiled[1] ?? "floor-normal", { allocations: true }),
    ];
    return {
      bodyBytes: WEBHOOK_BODY_BYTES,
      defaultSynchronous: DEFAULT_DATABASE_SYNCHRONOUS,
      runs,
      levels: CONNECTION_LEVELS.map((connections) => summarise(runs, connections)),
      durability,
      profiles: {
        ours,
        floor,
        oursNodeDefaults: await profile(dir, "ours-full-node-defaults", { allocations: false }),
      },
      serverPeakRssMiB: peak,
    };
  } finally {
    await stopAll([...servers.values()]);
  }
}

/** One load run, with the server's own CPU time per 2xx (less sensitive to a busy machine than req/s). */
async function measuredRun(
  server: Server,
  name: WebhookServerName,
  options: { connections: number; seconds: number; secret: string },
): Promise<MeasuredRun> {
  const before = await server.request<{ cpuMs: number }>({ op: "counts" });
  const run = await loadWebhooks({ url: server.ready.url, target: name, ...options });
  const after = await server.request<{ cpuMs: number }>({ op: "counts" });
  return {
    ...run,
    server: name,
    serverCpuUsPerRequest: round(((after.cpuMs - before.cpuMs) * 1000) / Math.max(1, run.ok), 0),
  };
}

function summarise(runs: MeasuredRun[], connections: number): WebhookLevelSummary {
  const at = runs.filter((r) => r.connections === connections);
  const of = (name: WebhookServerName) => at.filter((r) => r.server === name);
  const side = (list: MeasuredRun[]): WebhookSide => ({
    cpuUsPerRequest: median(list.map((r) => r.serverCpuUsPerRequest)),
    reqPerSec: median(list.map((r) => r.reqPerSec)),
    p50Ms: median(list.map((r) => r.latencyMs.p50)),
    p99Ms: median(list.map((r) => r.latencyMs.p99)),
    maxMs: Math.max(...list.map((r) => r.latencyMs.max)),
    non2xx: list.reduce((n, r) => n + r.non2xx + r.errors, 0),
  });
  // Round i of one server and round i of another ran back to back, under the same load.
  const ratio = (top: WebhookServerName, bottom: WebhookServerName, map = (r: number) => r): RoundRatio => {
    const below = of(bottom);
    const perRound = of(top).map((run, i) => map(run.reqPerSec / (below[i]?.reqPerSec ?? Number.NaN)));
    return { median: round(median(perRound), 2), perRound: perRound.map((r) => round(r, 2)) };
  };
  const cost = (r: number) => 1 - r;
  return {
    connections,
    servers: Object.fromEntries(SERVERS.map((name) => [name, side(of(name))])) as Record<
      WebhookServerName,
      WebhookSide
    >,
    oursOverFloor: { normal: ratio("ours-normal", "floor-normal"), full: ratio("ours-full", "floor-full") },
    oursOverBare: { normal: ratio("ours-normal", "bare"), full: ratio("ours-full", "bare") },
    fullCost: {
      floor: ratio("floor-full", "floor-normal", cost),
      ours: ratio("ours-full", "ours-normal", cost),
    },
    boundedYoungOverNodeDefaults: ratio("ours-full", "ours-full-node-defaults"),
  };
}

/**
 * A separate run against a fresh server whose V8 CPU profiler is on for the measured window
 * only, after a warm-up; then, if asked, a window of the same load under the sampling heap
 * profiler. Returns the profiles' summaries.
 */
async function profile(dir: string, name: WebhookServerName, options: { allocations: boolean }) {
  const server = await startServer(dir, name, `${name}-profiled`);
  try {
    const load = (seconds: number) =>
      loadWebhooks({
        url: server.ready.url,
        target: `${name} (profiled)`,
        connections: 10,
        seconds,
        secret: BENCH_CREDENTIALS.webhookSecret,
      });
    await load(WARMUP_SECONDS);
    const path = join(dir, `${name}.cpuprofile`);
    await server.request({ op: "profile-start" });
    const run = await load(PROFILE_SECONDS);
    await server.request({ op: "profile-stop", path });
    const summary = {
      how: `V8 CPU profiler (200 µs sampling) in the ${name} server during ${PROFILE_SECONDS} s of autocannon -c 10, after a ${WARMUP_SECONDS} s warm-up`,
      requests: run.requests,
      ...summariseProfile(path),
    };
    if (!options.allocations) return summary;
    const heapPath = join(dir, `${name}.heapprofile`);
    await server.request({ op: "allocations-start" });
    const sampled = await load(ALLOCATION_SECONDS);
    await server.request({ op: "allocations-stop", path: heapPath });
    return {
      ...summary,
      allocations: summariseAllocations(heapPath, {
        requests: sampled.requests,
        samplingBytes: ALLOCATION_SAMPLING_BYTES,
      }),
    };
  } finally {
    await server.stop();
  }
}

async function stopAll(children: Array<ChildHandle<unknown>>): Promise<void> {
  await Promise.all(children.map((child) => child.stop()));
}

function log(run: MeasuredRun): void {
  console.error(
    `  ${run.server.padEnd(12)} c=${run.connections} ${run.reqPerSec} req/s p50 ${run.latencyMs.p50} ms p99 ${run.latencyMs.p99} ms cpu ${run.serverCpuUsPerRequest} µs/2xx non2xx ${run.non2xx} errors ${run.errors}`,
  );
}

await main();
