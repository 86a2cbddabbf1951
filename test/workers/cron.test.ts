/**
 * The poller on a Cron Trigger: a scheduled invocation queues the syncs that are due (never twice),
 * their reconcile job lists the library through the queue and repairs what webhooks missed, and a
 * long pass continues across invocations within D1's query limit.
 */

import { describe, expect, it } from "vitest";
import { CRON_RETENTION_BUDGET } from "../../src/sync/retention";
import { CRON_MAX_DUE_SYNCS } from "../../src/workers/cron";
import { countingD1 } from "./helpers/counting-d1";
import { startFakeMux, useNetwork } from "./helpers/fake-mux";
import {
  createWorkerHarness,
  type Delivery,
  MAX_BATCH_SIZE,
  type WorkerHarness,
} from "./helpers/worker-harness";

useNetwork();

/**
 * Bootstraps the default sync and makes it due now. `fresh`: as if it never ran (its next pass is
 * the initial full listing), since D1 is shared by the tests of this file.
 */
async function makeSyncDue(worker: WorkerHarness, options: { fresh?: boolean } = {}): Promise<void> {
  expect((await worker.fetch("/healthz")).status).toBe(200);
  await worker.run("UPDATE syncs SET next_run_at = 0, lease_owner = NULL, lease_until = NULL");
  if (options.fresh)
    await worker.run("UPDATE syncs SET watermark_created_s = NULL, last_full_sweep_at = NULL");
}

/** One cron tick and every job it leads to. */
async function tickAndDrain(worker: WorkerHarness): Promise<void> {
  await worker.scheduled();
  expect((await worker.drain()).delayed).toEqual([]);
}

type RunRow = { kind: string; status: string; pages: number; repaired: number; enqueued: number };

describe("the cron", () => {
  it("runs a due sync and repairs an asset whose webhooks never came", async () => {
    const worker = createWorkerHarness();
    const fake = startFakeMux(worker);
    fake.createAsset({ mp4Support: "standard", status: "ready" });
    await makeSyncDue(worker, { fresh: true });
    await tickAndDrain(worker); // the initial pass
    // Its webhooks were lost (Mux gave up, the endpoint was down): only the poller can find it.
    const missed = fake.createAsset({ mp4Support: "standard", status: "ready" });
    await makeSyncDue(worker);

    await worker.scheduled();
    const sent = worker.queue.take();
    expect(sent).toHaveLength(1);
    const [reconcile] = await worker.rows<{ type: string }>(
      "SELECT type FROM jobs WHERE id = ?",
      sent[0]?.body.jobId,
    );
    expect(reconcile?.type).toBe("reconcile");

    // The same minute again (or an overlapping invocation): the sync is no longer due.
    await worker.scheduled();
    expect(worker.queue.take()).toEqual([]);

    await worker.queue.sendBatch(sent);
    const drained = await worker.drain();
    expect(drained.delayed).toEqual([]);
    const [object] = await worker.rows<{ state: string; discovered_via: string }>(
      "SELECT state, discovered_via FROM objects WHERE asset_id = ?",
      missed.id,
    );
    expect(object).toEqual({ state: "ready", discovered_via: "poll" });
    const [run] = await worker.rows<RunRow>(
      "SELECT kind, status, pages, repaired, enqueued FROM runs ORDER BY started_at DESC LIMIT 1",
    );
    expect(run).toMatchObject({ kind: "scheduled", status: "succeeded", repaired: 1 });
  });

  it("continues a long pass across invocations, each under D1's 1,000 queries", async () => {
    const counter = countingD1(createWorkerHarness().env.DB);
    const worker = createWorkerHarness({ db: counter.db });
    const fake = startFakeMux(worker);
    fake.generateLibrary(350); // 4 pages of 100; a run lists 3 (RECONCILE_PAGES_PER_RUN)
    await makeSyncDue(worker, { fresh: true });
    await worker.scheduled();

    // Only the reconcile job's messages are delivered here (its ingest jobs are the push path's,
    // tested elsewhere), plus one full batch of ingest jobs to measure that invocation too.
    let pending: Delivery[] = worker.queue.take().map((m) => ({ jobId: m.body.jobId }));
    const ingestMessages: Delivery[] = [];
    let reconcileRuns = 0;
    let mostQueries = 0;
    while (pending.length > 0 && reconcileRuns < 10) {
      counter.reset();
      const outcomes = await worker.deliver(pending);
      mostQueries = Math.max(mostQueries, counter.tally().statements);
      reconcileRuns++;
      pending = outcomes
        .filter((o) => o.action === "retry" && o.delaySeconds === 0)
        .map((o) => ({ jobId: o.jobId }));
      ingestMessages.push(...worker.queue.take().map((m) => ({ jobId: m.body.jobId })));
    }
    counter.reset();
    await worker.deliver(ingestMessages.slice(0, MAX_BATCH_SIZE));
    const ingestBatchQueries = counter.tally().statements;

    const [run] = await worker.rows<RunRow>(
      "SELECT kind, status, pages, repaired, enqueued FROM runs ORDER BY started_at DESC LIMIT 1",
    );
    expect(run).toMatchObject({ kind: "initial", status: "succeeded", pages: 4 });
    // Every listed asset got an ingest job (plus any object an earlier test left waiting).
    expect(run?.enqueued).toBeGreaterThanOrEqual(350);
    expect(reconcileRuns).toBe(2); // 3 pages, then the 4th from the saved cursor
    expect(ingestMessages.length).toBe(run?.enqueued);
    expect(mostQueries).toBeGreaterThan(100);
    expect(mostQueries).toBeLessThan(1000);
    expect(ingestBatchQueries).toBeLessThan(1000);
    console.info(
      `long pass: at most ${mostQueries} D1 statements in a reconcile invocation, ${ingestBatchQueries} in a batch of ${MAX_BATCH_SIZE} ingest jobs`,
    );
  });

  it("queues at most CRON_MAX_DUE_SYNCS due syncs per tick, the longest overdue first, and the rest the next tick", async () => {
    const counter = countingD1(createWorkerHarness().env.DB);
    const worker = createWorkerHarness({ db: counter.db });
    startFakeMux(worker);
    await makeSyncDue(worker);
    // Copies of the default sync (same connection and bucket), all due, each later than the last.
    const columns = (await worker.rows<{ name: string }>("SELECT name FROM pragma_table_info('syncs')")).map(
      (c) => c.name,
    );
    const extra = CRON_MAX_DUE_SYNCS + 20;
    const copied = columns.map((c) =>
      c === "id" ? "printf('syn_copy%04d', i)" : c === "next_run_at" ? "i" : c,
    );
    await worker.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO syncs (${columns.join(", ")}) SELECT ${copied.join(", ")} FROM syncs, n WHERE id = 'syn_default'`,
      extra,
    );
    await worker.run("DELETE FROM jobs WHERE type = 'reconcile'");

    counter.reset();
    await worker.scheduled();
    const first = counter.tally();
    const queuedFirst = await worker.rows<{ sync_id: string }>(
      "SELECT sync_id FROM runs WHERE status = 'queued'",
    );
    expect(queuedFirst).toHaveLength(CRON_MAX_DUE_SYNCS);
    // The default sync (next_run_at 0) and the earliest copies went first.
    expect(queuedFirst.map((r) => r.sync_id)).toContain("syn_default");
    expect(queuedFirst.map((r) => r.sync_id)).not.toContain(`syn_copy${String(extra).padStart(4, "0")}`);
    expect(first.statements).toBeLessThan(1000);
    // Three per due sync, the tick's own twenty at most, and retention's share of the invocation.
    expect(first.statements).toBeLessThanOrEqual(
      3 * CRON_MAX_DUE_SYNCS + 20 + CRON_RETENTION_BUDGET.statements,
    );

    await worker.scheduled();
    const queued = await worker.rows<{ n: number }>("SELECT COUNT(*) AS n FROM runs WHERE status = 'queued'");
    expect(queued[0]?.n).toBe(extra + 1);
    await worker.run("DELETE FROM syncs WHERE id LIKE 'syn_copy%'");
  });
});
