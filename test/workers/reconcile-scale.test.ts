/**
 * A reconcile pass over a large library on Workers: the cron queues it, and the reconcile job
 * walks the library through the queue, a few pages per consumer invocation, then checks the
 * objects the listing did not show, a few chunks per invocation. Every invocation stays within
 * D1's per-invocation query limit and the Workers subrequest limit, whatever the library's size:
 * the bounds below are fixed, and the number of invocations grows linearly with the library.
 *
 * CI runs 5,000 assets; `scripts/workers-pass.sh` runs the same test over 100,000.
 */

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IDS_PER_QUERY } from "../../src/jobs/reconcile-enqueue";
import { CRON_RETENTION_BUDGET } from "../../src/sync/retention";
import { RECONCILE_PAGES_PER_RUN } from "../../src/workers/runtime";
import { countingD1 } from "./helpers/counting-d1";
import { startFakeMux, useNetwork } from "./helpers/fake-mux";
import { type InvocationCost, invocationMeter, MAX_CACHE_REFRESHES } from "./helpers/invocation-meter";
import type { TestEnv } from "./helpers/test-env";
import { createWorkerHarness, type Delivery, MAX_BATCH_SIZE } from "./helpers/worker-harness";

useNetwork();

const ASSETS = Number((env as TestEnv).TEST_PASS_ASSETS || 5_000);
/** Objects the library no longer shows (deleted in Mux, webhooks lost): the deletion check's work. */
const STALE = Math.round(ASSETS / 10);
const PAGE = 100;

/** D1: "Queries per Worker invocation: 1000 (Workers Paid)"; each statement of a batch counted. */
const D1_QUERIES_PER_INVOCATION = 1_000;
/** Workers Paid: 10,000 subrequests per invocation (formerly 1,000; the stricter one is held). */
const SUBREQUESTS_PER_INVOCATION = 1_000;

/**
 * A page of 100 new assets: 2 reads of the known objects (ids by 90, D1's 100 bound parameters),
 * one batch of 100 enqueues and 2 `last_seen_at` updates, the run's counters and the lease.
 */
const PAGE_STATEMENTS = 106;
/** Its calls: the 2 reads, the one batch, the counters, the lease. */
const PAGE_ROUND_TRIPS = 5;
/**
 * The rest of a reconcile invocation: the job frame (claim, message mark, completion, verdict),
 * the run's frame (its run and sync, the lease taken and released, the environment-suspension
 * check, the run's start) and the job's re-enqueue for the next pages.
 */
const RUN_FRAME_STATEMENTS = 11;
/** Each of them a call of its own (the message mark, the completion and the re-enqueue as batches of one). */
const RUN_FRAME_ROUND_TRIPS = 11;
/** The dispatch of the invocation's new jobs: rounds of 100 messages, at most 5 (`MAX_ROUNDS`). */
const DISPATCH_MAX_STATEMENTS = 5;
/** The connection's first use in an isolate pins its Mux environment (an update and a read). */
const FIRST_USE_STATEMENTS = 2;
/** A reconcile invocation, at most: fixed, whatever the library's size. */
const RECONCILE_INVOCATION_STATEMENTS =
  RECONCILE_PAGES_PER_RUN * PAGE_STATEMENTS +
  RUN_FRAME_STATEMENTS +
  DISPATCH_MAX_STATEMENTS +
  FIRST_USE_STATEMENTS +
  MAX_CACHE_REFRESHES;
/** Its calls: D1 round trips (~30), one list call per page, a queue send per dispatch round. */
const RECONCILE_INVOCATION_SUBREQUESTS = 45;
/**
 * A cron tick while the pass's jobs wait: its repairs work in rounds of 100 jobs, at most 5 (20
 * statements), and retention spends at most its own share of the invocation.
 */
const CRON_INVOCATION_STATEMENTS = 20 + CRON_RETENTION_BUDGET.statements;
/** A full batch of ingest jobs carrying the listing's snapshot (no Mux call). */
const INGEST_BATCH_STATEMENTS = 120;

type Worst = { statements: number; subrequests: number; largestBatch: number };

function worse(worst: Worst, cost: InvocationCost): Worst {
  return {
    statements: Math.max(worst.statements, cost.statements),
    subrequests: Math.max(worst.subrequests, cost.subrequests),
    largestBatch: Math.max(worst.largestBatch, cost.largestBatch),
  };
}

/** Runs of the reconcile job the pass needs: the page budget is shared by pages and check chunks. */
/** The dispatcher's marking of pending jobs (the verdict on a message marks one job by id). */
function isDispatch(query: string): boolean {
  return /INSERT INTO job_messages .* FROM jobs\s+WHERE queue = /s.test(query);
}

function expectedReconcileRuns(pages: number, chunks: number): number {
  const listingRuns = Math.ceil(pages / RECONCILE_PAGES_PER_RUN);
  const leftover = listingRuns * RECONCILE_PAGES_PER_RUN - pages;
  return listingRuns + Math.ceil(Math.max(0, chunks - leftover) / RECONCILE_PAGES_PER_RUN);
}

describe("a reconcile pass at scale on Workers", () => {
  it(`lists ${ASSETS} assets and checks ${STALE} unseen objects across invocations, each within D1's limits`, {
    timeout: Math.max(30_000, ASSETS * 20),
  }, async () => {
    const started = Date.now();
    const counter = countingD1(createWorkerHarness().env.DB);
    const worker = createWorkerHarness({ db: counter.db });
    const meter = invocationMeter(counter, worker.queue);
    const fake = startFakeMux(worker);
    fake.generateLibrary(ASSETS);
    expect((await worker.fetch("/healthz")).status).toBe(200);
    await worker.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, write_token, discovered_via,
                              state_changed_at, created_at, updated_at)
         SELECT printf('obj_stale%07d', i), 'bkt_default', 'syn_default', printf('StaleAsset%07d', i),
                'ready', 'seeded', 'poll', 1, 1, 1 FROM n`,
      STALE,
    );
    await worker.run("UPDATE syncs SET next_run_at = 0, lease_owner = NULL, lease_until = NULL");

    let cronWorst: Worst = { statements: 0, subrequests: 0, largestBatch: 0 };
    const cron = async () => {
      const { cost } = await meter.measure(() => worker.scheduled());
      cronWorst = worse(cronWorst, cost);
    };
    await cron();
    let pending: Delivery[] = worker.queue.take().map((m) => ({ jobId: m.body.jobId }));
    expect(pending).toHaveLength(1);

    // Queues' part: the reconcile job's message comes back (retry, no delay) until the pass ends.
    // Its ingest jobs' messages are collected, not delivered (the push path's, measured apart).
    const ingest: Delivery[] = [];
    let invocations = 0;
    const costs: number[][] = [];
    /** Each invocation's statements but the dispatch's and cache refreshes (both depend on timing). */
    const own: number[] = [];
    const ownRoundTrips: number[] = [];
    let worst: Worst = { statements: 0, subrequests: 0, largestBatch: 0 };
    while (pending.length > 0 && invocations < 10 * (ASSETS / PAGE + STALE / IDS_PER_QUERY)) {
      const { result, cost } = await meter.measure(() => worker.deliver(pending));
      invocations++;
      worst = worse(worst, cost);
      costs.push([cost.statements, cost.roundTrips, cost.subrequests]);
      const dispatch = cost.sql.filter(isDispatch).length;
      expect(dispatch).toBeLessThanOrEqual(DISPATCH_MAX_STATEMENTS);
      expect(cost.cacheRefreshes).toBeLessThanOrEqual(MAX_CACHE_REFRESHES);
      own.push(cost.statements - dispatch - cost.cacheRefreshes);
      ownRoundTrips.push(cost.roundTrips - dispatch - cost.cacheRefreshes);
      expect(cost.statements, cost.sql.slice(0, 40).join("\n")).toBeLessThanOrEqual(
        RECONCILE_INVOCATION_STATEMENTS,
      );
      pending = result
        .filter((o) => o.action === "retry" && o.delaySeconds === 0)
        .map((o) => ({ jobId: o.jobId }));
      ingest.push(...worker.queue.take().map((m) => ({ jobId: m.body.jobId })));
      // The cron keeps ticking meanwhile, over a jobs table the pass keeps filling.
      if (invocations % 20 === 0) await cron();
    }
    await cron();

    const [run] = await worker.rows<{ status: string; pages: number; enqueued: number; kind: string }>(
      "SELECT status, pages, enqueued, kind FROM runs ORDER BY started_at DESC LIMIT 1",
    );
    const pages = Math.ceil(ASSETS / PAGE);
    expect(run).toMatchObject({ kind: "initial", status: "succeeded", pages });
    // Every listed asset and every unseen object got its ingest job, each sent one message.
    expect(run?.enqueued).toBe(ASSETS + STALE);
    expect(new Set(ingest.map((d) => d.jobId)).size).toBe(ASSETS + STALE);
    expect(invocations).toBe(expectedReconcileRuns(pages, Math.ceil(STALE / IDS_PER_QUERY)));

    expect(worst.statements).toBeLessThanOrEqual(RECONCILE_INVOCATION_STATEMENTS);
    // Every invocation listing 3 pages of new assets, after the first (which pins), costs exactly
    // its pages and its frame.
    const fullListingRuns = Math.floor(pages / RECONCILE_PAGES_PER_RUN);
    expect(own.slice(1, fullListingRuns)).toEqual(
      Array(fullListingRuns - 1).fill(RECONCILE_PAGES_PER_RUN * PAGE_STATEMENTS + RUN_FRAME_STATEMENTS),
    );
    expect(ownRoundTrips.slice(1, fullListingRuns)).toEqual(
      Array(fullListingRuns - 1).fill(RECONCILE_PAGES_PER_RUN * PAGE_ROUND_TRIPS + RUN_FRAME_ROUND_TRIPS),
    );
    expect(worst.subrequests).toBeLessThanOrEqual(RECONCILE_INVOCATION_SUBREQUESTS);
    expect(cronWorst.statements).toBeLessThanOrEqual(CRON_INVOCATION_STATEMENTS);
    // And a batch of the pass's ingest jobs (snapshots: no Mux call).
    const batch = await meter.measure(() => worker.deliver(ingest.slice(0, MAX_BATCH_SIZE)));
    expect(batch.result.every((o) => o.action === "ack")).toBe(true);
    expect(batch.cost.statements).toBeLessThanOrEqual(INGEST_BATCH_STATEMENTS);
    for (const bound of [
      RECONCILE_INVOCATION_STATEMENTS,
      CRON_INVOCATION_STATEMENTS,
      INGEST_BATCH_STATEMENTS,
    ])
      expect(bound).toBeLessThan(D1_QUERIES_PER_INVOCATION);
    expect(RECONCILE_INVOCATION_SUBREQUESTS).toBeLessThan(SUBREQUESTS_PER_INVOCATION);

    console.info(
      JSON.stringify({
        assets: ASSETS,
        stale: STALE,
        reconcileInvocations: invocations,
        reconcileWorst: worst,
        cronTicks: Math.floor(invocations / 20) + 2,
        cronWorst,
        ingestBatch: { statements: batch.cost.statements, subrequests: batch.cost.subrequests },
        ...(costs.length <= 30 ? { costs } : {}),
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );
  });
});
