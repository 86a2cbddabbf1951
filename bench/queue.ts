/**
 * Benchmark 3: the durable queue on a file database (WAL, the default synchronous), through the real
 * `JobStore` and `JobRunner`.
 * - Enqueue: one job per `enqueue` call (its own atomic write, as a webhook's job is), awaited
 *   one at a time, then with 100 calls in flight at once (as under a burst of webhooks).
 * - Claim + complete: a full queue drained by `JobRunner.drain` with a no-op handler, with 1 and
 *   4 workers (concurrent loops in one process).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openNodeDatabase } from "../src/db/node";
import { DEFAULT_DATABASE_SYNCHRONOUS } from "../src/db/synchronous";
import { systemClock } from "../src/lib/clock";
import { noopLogger } from "../src/lib/logger";
import { Doorbell } from "../src/queue/doorbell";
import { JobStore } from "../src/queue/job-store";
import { JobRunner } from "../src/queue/runner";
import type { QueueData } from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import { round } from "./lib/stats";

const ENQUEUES = 10_000;
const IN_FLIGHT = 100;
const DRAIN_JOBS = 2_000;
/**
 * Finished jobs stay in the table (history): the claim query's cost is measured on an empty
 * table and on one that already holds a day of a busy library's finished jobs.
 */
const DRAIN_SCENARIOS = [
  { workers: 1, finishedRows: 0, jobs: DRAIN_JOBS },
  { workers: 4, finishedRows: 0, jobs: DRAIN_JOBS },
  { workers: 1, finishedRows: 50_000, jobs: 500 },
];
const NOOP_JOB = "bench-noop";

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-queue-"));
  try {
    await recordBenchmark<QueueData>(
      "queue",
      [
        `JobStore and JobRunner from src/queue on a fresh file database (openNodeDatabase: WAL, synchronous=${DEFAULT_DATABASE_SYNCHRONOUS}, checkpoints on a worker thread as in serve), in one process.`,
        `Enqueue: ${ENQUEUES.toLocaleString("en")} jobs with distinct keys and a small JSON payload, one \`enqueue\` call each: first awaited one at a time, then ${IN_FLIGHT} calls in flight at once.`,
        `Claim + complete: due jobs drained by \`JobRunner.drain\` with a handler that does nothing, so the figure is the queue's own overhead per job (claim UPDATE … RETURNING, lease heartbeat timer, complete UPDATE). "Workers" are the runner's concurrent loops in one process; SQLite writes are serialised either way. Finished jobs stay in the table, so the last scenario starts with 50,000 finished rows (what a day of a busy library leaves) to show how the claim's cost depends on the table's size.`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<QueueData> {
  const database = openNodeDatabase(join(dir, "queue.db"), { backgroundCheckpoints: {} });
  const store = new JobStore(database, systemClock);
  try {
    const request = (i: number, prefix: string) => ({
      type: NOOP_JOB,
      key: `${prefix}:${i}`,
      payload: { syncId: "syn_bench", assetId: `asset-${i}`, via: "webhook" },
    });

    let started = performance.now();
    for (let i = 0; i < ENQUEUES; i++) await store.enqueue(request(i, "sequential"));
    const sequentialSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    for (let i = 0; i < ENQUEUES; i += IN_FLIGHT) {
      const batch = Array.from({ length: Math.min(IN_FLIGHT, ENQUEUES - i) }, (_, j) =>
        store.enqueue(request(i + j, "concurrent")),
      );
      await Promise.all(batch);
    }
    const concurrentSeconds = (performance.now() - started) / 1000;

    const drains: QueueData["drain"] = [];
    for (const { workers, finishedRows, jobs } of DRAIN_SCENARIOS) {
      database.sqlite.prepare("DELETE FROM jobs").run();
      insertFinishedJobs(database.sqlite, finishedRows);
      for (let i = 0; i < jobs; i += IN_FLIGHT) {
        await Promise.all(
          Array.from({ length: Math.min(IN_FLIGHT, jobs - i) }, (_, j) =>
            store.enqueue(request(i + j, `drain-${workers}-${finishedRows}`)),
          ),
        );
      }
      const runner = new JobRunner({
        doorbell: new Doorbell(),
        store,
        registry: { [NOOP_JOB]: { handle: async () => {} } },
        logger: noopLogger,
        clock: systemClock,
        concurrency: workers,
      });
      started = performance.now();
      const result = await runner.drain({ timeoutMs: 120_000 });
      const seconds = (performance.now() - started) / 1000;
      drains.push({
        workers,
        finishedRowsBefore: finishedRows,
        jobs: result.ran,
        seconds: round(seconds, 2),
        jobsPerSecond: round(result.ran / seconds, 0),
        timedOut: result.timedOut,
      });
      console.error(
        `  drain with ${workers} worker(s), ${finishedRows} finished rows: ${round(result.ran / seconds, 0)} jobs/s`,
      );
    }
    return {
      enqueue: {
        jobs: ENQUEUES,
        sequentialPerSecond: round(ENQUEUES / sequentialSeconds, 0),
        concurrentPerSecond: round(ENQUEUES / concurrentSeconds, 0),
        inFlight: IN_FLIGHT,
      },
      drain: drains,
    };
  } finally {
    database.close();
  }
}

/** Finished history rows, as ingest jobs leave them (written directly: their insertion is not measured). */
function insertFinishedJobs(sqlite: import("better-sqlite3").Database, count: number): void {
  const insert =
    sqlite.prepare(`INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, attempts,
      max_attempts, available_at, rerun, created_at, updated_at, finished_at)
    VALUES (?, 'default', 'ingest', ?, '{}', 'done', 1, 8, ?, 0, ?, ?, ?)`);
  const now = Date.now();
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const at = now - (count - i) * 1000;
      insert.run(`job_hist_${i}`, `ingest:syn_bench:hist-${i}`, at, at, at, at);
    }
  })();
}

await main();
