/**
 * mux-ingest for the scale benchmark, in its own process: the production wiring through the
 * composition root (`openIngestNode`, as the other HTTP benchmarks), HTTP on an ephemeral port,
 * the job runner started only when the parent asks, and `monitorEventLoopDelay` and the stall
 * watcher (`lib/stall-watch.ts`) watching this process's event loop while the parent measures;
 * the V8 CPU profiler and the process's I/O
 * counters around a window the parent names. Argument: a JSON object `{ env, sqlite? }`, where
 * `sqlite` overrides the connection's page cache or memory map after opening (hypotheses the
 * benchmark measures, not the service's settings).
 */
import { readFileSync } from "node:fs";
import {
  type IntervalHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from "node:perf_hooks";
import type { Registry } from "prom-client";
import { readMetricsSnapshot } from "../../src/metrics/snapshot";
import { readOverview } from "../../src/resources/overview";
import { cpuMs, failStart, peakRssMiB, serveParent } from "../lib/child";
import { openIngestNode } from "../lib/ingest-node";
import { createProfiler, isProfilerRequest, type ProfilerRequest } from "../lib/profiler";
import { type Stall, type StallSummary, stallWindow, watchStalls } from "../lib/stall-watch";
import { distribution, round } from "../lib/stats";

export type ScaleServerRequest =
  | { op: "loop-reset"; window?: LoopWindow }
  | { op: "loop-read"; window?: LoopWindow }
  | { op: "clear-pending" }
  | { op: "claims"; jobs: number }
  | { op: "status"; times: number }
  | { op: "metrics-render"; times: number }
  | { op: "runner-start" }
  | { op: "usage" }
  | { op: "io" }
  | { op: "object-of"; bucketId: string; assetId: string }
  | { op: "environment-of"; connectionId: string }
  | { op: "pending-ingest-jobs" }
  | ProfilerRequest;

/** SQLite settings a variant run overrides on the service's one connection. */
export type SqliteVariant = { cacheKib?: number; mmapBytes?: number };

/** `/proc/self/io`: bytes and system calls of reads and writes (rchar includes the OS page cache's hits). */
export type IoCounters = { rchar: number; wchar: number; syscr: number; syscw: number };

export type ScaleServerReady = { url: string };
/**
 * Two windows watched apart: a phase (the whole of the reads, say), and one kind of request
 * within it, so that a phase's maximum can be traced to the requests it happened during.
 */
export type LoopWindow = "phase" | "kind";
/**
 * The event loop's delay since the window's last reset, in ms (1 ms resolution), and V8's
 * collection pauses in it (`gc` performance entries: a scavenge or a full collection's final
 * pause stops the event loop for its whole duration).
 */
export type LoopDelay = {
  maxMs: number;
  p99Ms: number;
  samples: number;
  gc?: { pauses: number; maxMs: number; totalMs: number };
  /** The window's stalls over the bound, split by where the main thread's time went. */
  stalls?: StallSummary;
};
/**
 * A claim round: the rate, and each claim-and-complete's time (ms), with the share of the round
 * spent in those over 5 ms (a commit that checkpoints the WAL takes that long, an ordinary one
 * a fraction of a millisecond).
 */
export type ClaimFigures = {
  jobs: number;
  seconds: number;
  perSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  slowShare?: number;
};

const NOOP_TYPE = "bench-noop";
/** Stalls this long are split (the goal's bound on the event loop's delay). */
const STALL_MS = 20;

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as { env: Record<string, string>; sqlite?: SqliteVariant };
  const node = await openIngestNode({ env: args.env, muxRatePerSecond: 1_000_000, http: true });
  // Only integers reach the pragma text.
  if (args.sqlite?.cacheKib) node.database.sqlite.pragma(`cache_size = -${Math.trunc(args.sqlite.cacheKib)}`);
  if (args.sqlite?.mmapBytes) node.database.sqlite.pragma(`mmap_size = ${Math.trunc(args.sqlite.mmapBytes)}`);
  const profiler = createProfiler();
  const windows = { phase: watchLoop(), kind: watchLoop() };
  const stallWatch = watchStalls(STALL_MS, (stall) => {
    for (const w of Object.values(windows)) w.stall(stall);
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      stallWatch?.gcPause(entry.startTime, entry.duration);
      for (const w of Object.values(windows)) w.gcPause(entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });

  const claims = async (count: number): Promise<ClaimFigures> => {
    const { jobs, database } = node.deps;
    const requests = Array.from({ length: count }, (_, i) => ({
      type: NOOP_TYPE,
      key: `${NOOP_TYPE}:${Date.now()}:${i}`,
      payload: {},
    }));
    for (let i = 0; i < requests.length; i += 500)
      await database.atomic(requests.slice(i, i + 500).map((r) => jobs.enqueueStatement(r)));
    const started = performance.now();
    const times: number[] = [];
    for (;;) {
      const t = performance.now();
      const job = await jobs.claim();
      if (!job) break;
      await jobs.complete(job);
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    node.database.sqlite.prepare("DELETE FROM jobs WHERE type = ?").run(NOOP_TYPE);
    const d = distribution(times);
    const slowMs = times.filter((ms) => ms > 5).reduce((a, b) => a + b, 0);
    return {
      jobs: times.length,
      seconds: round(seconds, 3),
      perSecond: round(times.length / seconds, 0),
      p50Ms: round(d.p50, 3),
      p99Ms: round(d.p99, 2),
      maxMs: round(d.max, 1),
      slowShare: round(slowMs / 1000 / seconds, 3),
    };
  };

  serveParent({
    ready: { url: node.url ?? "" } satisfies ScaleServerReady,
    handle: async (raw) => {
      const request = raw as ScaleServerRequest;
      if (isProfilerRequest(request)) return profiler(request);
      switch (request.op) {
        case "loop-reset":
          windows[request.window ?? "phase"].reset();
          return null;
        case "loop-read":
          stallWatch?.flush();
          return windows[request.window ?? "phase"].read();
        case "clear-pending":
          // The webhook phase's ingest jobs name assets no Mux has: they are not the burst's work.
          node.database.sqlite.prepare("DELETE FROM jobs WHERE status = 'pending'").run();
          return null;
        case "claims":
          return claims(request.jobs);
        case "status": {
          const times: number[] = [];
          for (let i = 0; i < request.times; i++) {
            const t = performance.now();
            await readOverview(node.deps);
            times.push(performance.now() - t);
            await nextTurn();
          }
          return times;
        }
        case "metrics-render": {
          // One rendering as a scrape makes it when no other is shared: the gauges' count rows,
          // then the registry's text.
          const { registry } = node.deps.metrics as { registry?: Registry };
          const times: number[] = [];
          for (let i = 0; i < request.times; i++) {
            const t = performance.now();
            await readMetricsSnapshot(node.deps.database, node.deps.jobs, Date.now());
            await registry?.metrics();
            times.push(performance.now() - t);
            await nextTurn();
          }
          return times;
        }
        case "runner-start":
          node.runner.start();
          return null;
        case "usage":
          return { cpuMs: cpuMs(), peakRssMiB: peakRssMiB() };
        case "io":
          return readIo();
        case "pending-ingest-jobs": {
          const row = node.database.sqlite
            .prepare("SELECT count(*) AS n FROM jobs WHERE status = 'pending' AND type = 'ingest'")
            .get() as { n: number };
          return row.n;
        }
        case "environment-of": {
          const row = node.database.sqlite
            .prepare("SELECT environment_id AS id FROM connections WHERE id = ?")
            .get(request.connectionId) as { id: string | null } | undefined;
          return row?.id ?? null;
        }
        case "object-of": {
          const row = node.database.sqlite
            .prepare("SELECT id FROM objects WHERE bucket_id = ? AND asset_id = ?")
            .get(request.bucketId, request.assetId) as { id: string } | undefined;
          return row?.id ?? null;
        }
      }
    },
    shutdown: node.close,
  });
}

/** One call per turn, as requests come: a loop of calls must not hold the event loop itself. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** One window's event-loop histogram and collection pauses. */
function watchLoop() {
  let loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gc = { pauses: 0, maxMs: 0, totalMs: 0 };
  const stalls = stallWindow(STALL_MS);
  return {
    stall: (stall: Stall) => stalls.add(stall),
    gcPause(ms: number) {
      gc = { pauses: gc.pauses + 1, maxMs: Math.max(gc.maxMs, ms), totalMs: gc.totalMs + ms };
    },
    reset() {
      loop.disable();
      loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      gc = { pauses: 0, maxMs: 0, totalMs: 0 };
      stalls.reset();
    },
    read(): LoopDelay {
      return {
        maxMs: round(loop.max / 1e6, 1),
        p99Ms: round(loop.percentile(99) / 1e6, 1),
        samples: loop.count,
        gc: { pauses: gc.pauses, maxMs: round(gc.maxMs, 1), totalMs: round(gc.totalMs, 1) },
        stalls: stalls.summary(),
      };
    },
  };
}

function readIo(): IoCounters {
  const fields = new Map(
    readFileSync("/proc/self/io", "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const [key, value] = line.split(":");
        return [key?.trim() ?? "", Number(value)] as const;
      }),
  );
  const of = (key: string) => fields.get(key) ?? 0;
  return { rchar: of("rchar"), wchar: of("wchar"), syscr: of("syscr"), syscw: of("syscw") };
}

main().catch(failStart);
