/**
 * What each path sends D1 on Workers, counted at the binding (every statement, batched ones
 * included, and every call) in the steady state: the connection's routing and Mux environment
 * already known to the isolate, as after its first webhook. The figures are exact, so a path
 * that grows a statement fails here; docs/deploy-workers.md quotes them and changes with them.
 */
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { countingD1 } from "./helpers/counting-d1";
import { network, startFakeMux, useNetwork } from "./helpers/fake-mux";
import { type InvocationCost, invocationMeter, MAX_CACHE_REFRESHES } from "./helpers/invocation-meter";
import { createWorkerHarness, type WorkerHarness } from "./helpers/worker-harness";

useNetwork();

const PIPELINE_URL = "https://pipeline.example/hooks";
const VARS = { PIPELINE_URL, PIPELINE_SECRET: "whsec_dGVzdC1waXBlbGluZS1zZWNyZXQtMTIzNDU2Nzg5MA==" };

type Budget = Pick<InvocationCost, "statements" | "roundTrips" | "largestBatch" | "fetches" | "queueSends">;

/**
 * A webhook: the event row and the ingest job in one batch before the 2xx (one round trip), then
 * after it (`waitUntil`) one statement that marks the new job and the send of its message.
 */
const WEBHOOK: Budget = { statements: 3, roundTrips: 2, largestBatch: 2, fetches: 0, queueSends: 1 };

/**
 * Every job message costs the same frame, 6 statements in 5 round trips: the claim, the message
 * mark's deletion, the job's completion, the verdict on the message (is it pending again?) and the
 * dispatch of the jobs the run enqueued.
 */
const JOB_FRAME = 6;

/**
 * An ingest job (from a webhook, no snapshot: one GET to Mux): reads of the sync, the object and
 * the bucket's pipeline URL, then the object, its history row and the follow-up job in one batch.
 */
const INGEST: Budget = {
  statements: JOB_FRAME + 5,
  roundTrips: 9,
  largestBatch: 3,
  fetches: 1,
  queueSends: 1,
};

/**
 * A download to R2 (one GET of the MP4 from Mux's stream host): reads of the object, the sync and
 * the pipeline URL, then the object, its history, the superseding of older pending deliveries, the
 * delivery row and its job in one batch.
 */
const DOWNLOAD: Budget = {
  statements: JOB_FRAME + 7,
  roundTrips: 9,
  largestBatch: 5,
  fetches: 1,
  queueSends: 1,
};

/**
 * A delivery (one POST to the pipeline): reads of the delivery, the object and the bucket, then
 * the delivery marked delivered and the object's acknowledgement and state in one batch. The file
 * is stored (R2), so the batch also holds the removal of the renditions the service created for
 * the asset (`remove_created_renditions`), queued only if SQL finds its sync removes and one is
 * left: one statement more, and here nothing queued. Nothing follows, so the dispatch sends nothing.
 */
const DELIVERY: Budget = {
  statements: JOB_FRAME + 7,
  roundTrips: 9,
  largestBatch: 5,
  fetches: 1,
  queueSends: 0,
};

/**
 * A cron tick with nothing due: the due syncs' read, the reaper's read of running jobs, the three
 * repairs of lost messages, the dispatch of recent jobs and the prune of finished jobs (7); then
 * retention over empty tables (12): reading where its walks stand, one batch of webhook events,
 * a window and its two writes for deliveries, a window and its delete for history, the sync's
 * runs (its read, its batch, the read that finds no further sync), one batch of activity
 * buckets, and writing the walks back.
 */
const CRON_IDLE: Budget = { statements: 19, roundTrips: 19, largestBatch: 1, fetches: 0, queueSends: 0 };

/**
 * The deliveries and history walks reached the oldest row on the first tick and rest for
 * `WALK_REST_MS`: the ticks right after send their window and writes no more.
 */
const RESTING_WALKS = { statements: 5, roundTrips: 5 };

/** Each due sync adds its claim (compare-and-swap on `next_run_at`) and the run + job batch. */
const CRON_PER_DUE_SYNC = { statements: 3, roundTrips: 2 };

function budgetOf(cost: InvocationCost): Budget {
  const { statements, roundTrips, largestBatch, fetches, queueSends } = cost;
  return { statements, roundTrips, largestBatch, fetches, queueSends };
}

/**
 * The budget, with the statements sent shown when it does not hold. Cache refreshes (time-based,
 * see `InvocationCost`) are bounded apart: a webhook after a second of quiet also reads the
 * routing, a job after 5 s re-reads its connection.
 */
function expectCost(cost: InvocationCost, budget: Budget, path: string): void {
  const sent = `${path} sent:\n  ${cost.sql.map(oneLine).join("\n  ")}`;
  expect(cost.cacheRefreshes, sent).toBeLessThanOrEqual(MAX_CACHE_REFRESHES);
  const counted = {
    ...cost,
    statements: cost.statements - cost.cacheRefreshes,
    roundTrips: cost.roundTrips - cost.cacheRefreshes,
  };
  expect(budgetOf(counted), sent).toEqual(budget);
}

function oneLine(query: string): string {
  return query.replace(/\s+/g, " ").trim().slice(0, 120);
}

function jobMessages(worker: WorkerHarness) {
  return worker.queue.take().map((m) => ({ jobId: m.body.jobId }));
}

async function jobType(worker: WorkerHarness, jobId: string): Promise<string | undefined> {
  const [row] = await worker.rows<{ type: string }>("SELECT type FROM jobs WHERE id = ?", jobId);
  return row?.type;
}

describe("D1 statements per path on Workers", () => {
  it("a webhook, its ingest job, the download and the delivery: exact figures", async () => {
    const counter = countingD1(createWorkerHarness().env.DB);
    const worker = createWorkerHarness({ db: counter.db, vars: VARS, r2: true });
    const meter = invocationMeter(counter, worker.queue);
    let delivered = 0;
    network.use(
      http.post(PIPELINE_URL, () => {
        delivered++;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const fake = startFakeMux(worker);
    // The isolate's first webhook learns the routing and pins the Mux environment.
    const first = fake.createAsset({ mp4Support: "standard", status: "ready" });
    fake.fireEvent(first.id, "video.asset.ready");
    await fake.webhooks.flush();
    await worker.drain();
    expect(delivered).toBe(1);

    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    const webhook = await meter.measure(async () => {
      fake.fireEvent(asset.id, "video.asset.ready");
      await fake.webhooks.flush();
    });
    expectCost(webhook.cost, WEBHOOK, "the webhook");

    for (const [type, budget] of [
      ["ingest", INGEST],
      ["download", DOWNLOAD],
      ["deliver", DELIVERY],
    ] as const) {
      const messages = jobMessages(worker);
      expect(messages).toHaveLength(1);
      expect(await jobType(worker, messages[0]?.jobId ?? "")).toBe(type);
      const { result, cost } = await meter.measure(() => worker.deliver(messages));
      expect(result.map((r) => r.action)).toEqual(["ack"]);
      expectCost(cost, budget, `the ${type} job`);
    }
    expect(delivered).toBe(2);
    const [object] = await worker.rows<{ state: string }>(
      "SELECT state FROM objects WHERE asset_id = ?",
      asset.id,
    );
    expect(object?.state).toBe("delivered");
  });

  it("a cron invocation: exact figures with nothing due and with a due sync", async () => {
    const counter = countingD1(createWorkerHarness().env.DB);
    const worker = createWorkerHarness({ db: counter.db, vars: VARS });
    const meter = invocationMeter(counter, worker.queue);
    startFakeMux(worker);
    expect((await worker.fetch("/healthz")).status).toBe(200);
    await worker.run("UPDATE syncs SET next_run_at = ?", Date.now() + 3_600_000);

    const idle = await meter.measure(() => worker.scheduled());
    expectCost(idle.cost, CRON_IDLE, "an idle cron tick");

    await worker.run("UPDATE syncs SET next_run_at = 0, lease_owner = NULL, lease_until = NULL");
    const due = await meter.measure(() => worker.scheduled());
    expectCost(
      due.cost,
      {
        ...CRON_IDLE,
        statements: CRON_IDLE.statements - RESTING_WALKS.statements + CRON_PER_DUE_SYNC.statements,
        roundTrips: CRON_IDLE.roundTrips - RESTING_WALKS.roundTrips + CRON_PER_DUE_SYNC.roundTrips,
        largestBatch: 2,
        queueSends: 1, // the pass's reconcile job
      },
      "a cron tick with a due sync",
    );
    expect(await jobType(worker, worker.queue.take()[0]?.body.jobId ?? "")).toBe("reconcile");
  });
});
