/**
 * The child process of the poller benchmark: mux-ingest's services (no HTTP) against the fake
 * Mux served by the parent, running reconciliation passes on request through the real job path
 * (`schedulePass` → claim → `runClaimed`), while sampling its own memory. One process per
 * library size, so one size's heap never inflates another's figures.
 * Argument: a JSON object `{ env, muxRatePerSecond?, unbounded? }`; `unbounded` undoes the
 * service's memory bounds (node's own young generation, as the parent starts this child without
 * the start flag; V8's own heap growth, better-sqlite3's 16 MiB page cache, after opening), to measure the pass as it was without them.
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { reconcileJob, schedulePass } from "../src/jobs/reconcile";
import { DEFAULT_IDS } from "../src/resources/bootstrap";
import { failStart, rssMiB, sampleMemory, serveParent } from "./lib/child";
import { openIngestNode } from "./lib/ingest-node";
import type { PassReport } from "./lib/result-types";

export type PassRequest = { kind: "initial" | "scheduled" };
export type { PassReport };

type Args = { env: Record<string, string>; muxRatePerSecond?: number; unbounded?: boolean };

/** better-sqlite3's build default, in KiB. */
const BETTER_SQLITE3_CACHE_KIB = 16_000;

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as Args;
  const node = await openIngestNode({ env: args.env, muxRatePerSecond: args.muxRatePerSecond });
  const { deps, runner, database } = node;
  if (args.unbounded) {
    // 0 restores V8's dynamic growth factor.
    setFlagsFromString("--heap-growing-percent=0");
    database.sqlite.pragma(`cache_size = -${BETTER_SQLITE3_CACHE_KIB}`);
  }
  serveParent({
    ready: { rssMiB: rssMiB() },
    handle: async (raw): Promise<PassReport> => {
      const { kind } = raw as PassRequest;
      // The initial pass's ingest jobs are not run here (their cost is the ingest job's, measured
      // end to end); mark them done, as if they had run, so the next pass meets a settled queue.
      database.sqlite
        .prepare(
          "UPDATE jobs SET status = 'done', finished_at = ? WHERE type = 'ingest' AND status = 'pending'",
        )
        .run(Date.now());
      const runId = await schedulePass(deps, DEFAULT_IDS.sync, kind);
      if (!runId) throw new Error("A pass is already queued");
      const job = await deps.jobs.claim();
      if (job?.type !== reconcileJob.type)
        throw new Error(`Expected the reconcile job, claimed ${job?.type}`);

      const memory = sampleMemory();
      const started = performance.now();
      const outcome = await runner.runClaimed(job);
      const wallSeconds = (performance.now() - started) / 1000;
      const peaks = memory.stop();
      if (outcome !== "completed") throw new Error(`The reconcile job ended ${outcome}`);

      const run = database.sqlite
        .prepare("SELECT kind, status, pages, api_calls, assets_seen, enqueued FROM runs WHERE id = ?")
        .get(runId) as {
        kind: string;
        status: string;
        pages: number;
        api_calls: number;
        assets_seen: number;
        enqueued: number;
      };
      return {
        kind: run.kind,
        status: run.status,
        wallSeconds: Math.round(wallSeconds * 100) / 100,
        pages: run.pages,
        apiCalls: run.api_calls,
        assetsSeen: run.assets_seen,
        enqueued: run.enqueued,
        ...peaks,
      };
    },
    shutdown: node.close,
  });
}

main().catch(failStart);
