/**
 * mux-ingest in its own process for the HTTP benchmarks, started one of two ways:
 * - `entry`: through `startNode`, exactly as `mux-ingest serve` does, with the job runner and
 *   poller off (`runJobs: false`) so that only the webhook route uses the CPU;
 * - `lifted`: through the benchmark wiring with the client-side Mux rate limit lifted and the
 *   job runner on (end-to-end latency).
 * Argument: a JSON object `{ mode, env, muxRatePerSecond? }`.
 */
import { parseEnv } from "../../src/config/env";
import { startNode } from "../../src/node/start-node";
import { cpuMs, failStart, peakRssMiB, serveParent } from "../lib/child";
import { openIngestNode } from "../lib/ingest-node";
import { createProfiler, isProfilerRequest, type ProfilerRequest } from "../lib/profiler";

/** Requests from the parent: counters, or the V8 CPU profiler around a measured window. */
export type IngestServerRequest = { op: "counts" } | ProfilerRequest;

type ServerArgs = { mode: "entry" | "lifted"; env: Record<string, string>; muxRatePerSecond?: number };

export type IngestServerReady = { url: string };
export type IngestServerCounts = {
  events: number;
  jobsByStatus: Record<string, number>;
  objectsByState: Record<string, number>;
  peakRssMiB: number;
  cpuMs: number;
};

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as ServerArgs;
  let url: string;
  let sqlite: import("better-sqlite3").Database;
  let close: () => Promise<void>;
  if (args.mode === "entry") {
    const node = await startNode(parseEnv(args.env), { runJobs: false });
    url = node.url;
    sqlite = node.database.sqlite;
    close = node.close;
  } else {
    const node = await openIngestNode({ env: args.env, muxRatePerSecond: args.muxRatePerSecond, http: true });
    node.runner.start();
    url = node.url ?? "";
    sqlite = node.database.sqlite;
    close = node.close;
  }
  const grouped = (query: string): Record<string, number> =>
    Object.fromEntries(
      (sqlite.prepare(query).all() as Array<{ key: string; n: number }>).map((row) => [row.key, row.n]),
    );
  const profiler = createProfiler();
  serveParent({
    ready: { url } satisfies IngestServerReady,
    handle: async (raw) => {
      const request = raw as IngestServerRequest;
      if (isProfilerRequest(request)) return profiler(request);
      return {
        events: (sqlite.prepare("SELECT COUNT(*) AS n FROM webhook_events").get() as { n: number }).n,
        jobsByStatus: grouped("SELECT type || ':' || status AS key, COUNT(*) AS n FROM jobs GROUP BY 1"),
        objectsByState: grouped("SELECT state AS key, COUNT(*) AS n FROM objects GROUP BY 1"),
        peakRssMiB: peakRssMiB(),
        cpuMs: cpuMs(),
      } satisfies IngestServerCounts;
    },
    shutdown: close,
  });
}

main().catch(failStart);
