/**
 * mux-ingest for the scale benchmark, in its own process: the production wiring through the
 * composition root (`openIngestNode`, as the other HTTP benchmarks), HTTP on an ephemeral port,
 * the job runner started only when the parent asks, and `monitorEventLoopDelay` watching this
 * process's event loop while the parent measures; the V8 CPU profiler and the process's I/O
 * counters around a window the parent names. Argument: a JSON object `{ env, sqlite? }`, where
 * `sqlite` overrides the connection's page cache or memory map after opening (hypotheses the
 * benchmark measures, not the service's settings).
 */
import { readFileSync } from "node:fs";
import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { readOverview } from "../../src/resources/overview";
import { cpuMs, failStart, peakRssMiB, serveParent } from "../lib/child";
import { openIngestNode } from "../lib/ingest-node";
import { createProfiler, isProfilerRequest, type ProfilerRequest } from "../lib/profiler";
import { round } from "../lib/stats";

export type ScaleServerRequest =
  | { op: "loop-reset" }
  | { op: "loop-read" }
  | { op: "clear-pending" }
  | { op: "claims"; jobs: number }
  | { op: "status"; times: number }
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
/** The event loop's delay since the last reset, in ms (1 ms resolution). */
export type LoopDelay = { maxMs: number; p99Ms: number; samples: number };
export type ClaimFigures = { jobs: number; seconds: number; perSecond: number };

const NOOP_TYPE = "bench-noop";

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as { env: Record<string, string>; sqlite?: SqliteVariant };
  const node = await openIngestNode({ env: args.env, muxRatePerSecond: 1_000_000, http: true });
  // Only integers reach the pragma text.
  if (args.sqlite?.cacheKib) node.database.sqlite.pragma(`cache_size = -${Math.trunc(args.sqlite.cacheKib)}`);
  if (args.sqlite?.mmapBytes) node.database.sqlite.pragma(`mmap_size = ${Math.trunc(args.sqlite.mmapBytes)}`);
  const profiler = createProfiler();
  let loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

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
    let claimed = 0;
    for (;;) {
      const job = await jobs.claim();
      if (!job) break;
      await jobs.complete(job);
      claimed++;
    }
    const seconds = (performance.now() - started) / 1000;
    node.database.sqlite.prepare("DELETE FROM jobs WHERE type = ?").run(NOOP_TYPE);
    return { jobs: claimed, seconds: round(seconds, 3), perSecond: round(claimed / seconds, 0) };
  };

  serveParent({
    ready: { url: node.url ?? "" } satisfies ScaleServerReady,
    handle: async (raw) => {
      const request = raw as ScaleServerRequest;
      if (isProfilerRequest(request)) return profiler(request);
      switch (request.op) {
        case "loop-reset":
          loop.disable();
          loop = monitorEventLoopDelay({ resolution: 1 });
          loop.enable();
          return null;
        case "loop-read":
          return {
            maxMs: round(loop.max / 1e6, 1),
            p99Ms: round(loop.percentile(99) / 1e6, 1),
            samples: loop.count,
          } satisfies LoopDelay;
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
