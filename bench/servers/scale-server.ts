/**
 * mux-ingest for the scale benchmark, in its own process: the production wiring through the
 * composition root (`openIngestNode`, as the other HTTP benchmarks), HTTP on an ephemeral port,
 * the job runner started only when the parent asks, and `monitorEventLoopDelay` watching this
 * process's event loop while the parent measures. Argument: a JSON object `{ env }`.
 */
import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { readOverview } from "../../src/resources/overview";
import { cpuMs, failStart, peakRssMiB, serveParent } from "../lib/child";
import { openIngestNode } from "../lib/ingest-node";
import { round } from "../lib/stats";

export type ScaleServerRequest =
  | { op: "loop-reset" }
  | { op: "loop-read" }
  | { op: "clear-pending" }
  | { op: "claims"; jobs: number }
  | { op: "status"; times: number }
  | { op: "runner-start" }
  | { op: "usage" };

export type ScaleServerReady = { url: string };
/** The event loop's delay since the last reset, in ms (1 ms resolution). */
export type LoopDelay = { maxMs: number; p99Ms: number; samples: number };
export type ClaimFigures = { jobs: number; seconds: number; perSecond: number };

const NOOP_TYPE = "bench-noop";

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as { env: Record<string, string> };
  const node = await openIngestNode({ env: args.env, muxRatePerSecond: 1_000_000, http: true });
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
      }
    },
    shutdown: node.close,
  });
}

main().catch(failStart);
