/**
 * The Queues consumer: retries follow the JobStore's schedule through `message.retry`, a job
 * that keeps failing is dead-lettered with its object `failed`, the dead-letter queue does the
 * same for messages Queues gave up on, and the cron re-sends what a failed send lost.
 */
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { network, startFakeMux, useNetwork } from "./helpers/fake-mux";
import { createWorkerHarness, DEAD_LETTER_QUEUE, type WorkerHarness } from "./helpers/worker-harness";

useNetwork();

type JobRow = {
  id: string;
  status: string;
  attempts: number;
  available_at: number;
  last_error: string | null;
};

async function ingestJob(worker: WorkerHarness, assetId: string): Promise<JobRow> {
  const [job] = await worker.rows<JobRow>(
    "SELECT id, status, attempts, available_at, last_error FROM jobs WHERE idempotency_key = ?",
    `ingest:syn_default:${assetId}`,
  );
  if (!job) throw new Error(`no ingest job for ${assetId}`);
  return job;
}

async function objectOf(worker: WorkerHarness, assetId: string) {
  const [object] = await worker.rows<{ state: string; reason: string | null; message: string | null }>(
    "SELECT state, reason, message FROM objects WHERE asset_id = ?",
    assetId,
  );
  return object;
}

/**
 * Mux answers this asset's GET with a garbled body: a retryable failure (it may be transient)
 * that the SDK itself does not retry, so every attempt fails fast.
 */
function garbleAsset(assetId: string): void {
  network.use(
    http.get(
      `https://api.mux.com/video/v1/assets/${assetId}`,
      () => new HttpResponse("{garbled", { status: 200, headers: { "content-type": "application/json" } }),
    ),
  );
}

/** Time passes for one job: its backoff is over. */
async function makeDue(worker: WorkerHarness, jobId: string): Promise<void> {
  await worker.run("UPDATE jobs SET available_at = 0 WHERE id = ?", jobId);
}

describe("the Queues consumer", () => {
  it("retries a failing job on the JobStore's backoff, then dead-letters it and fails its object", async () => {
    const worker = createWorkerHarness(); // JOB_MAX_ATTEMPTS=3 in the test vars
    const fake = startFakeMux(worker);
    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    garbleAsset(asset.id);
    fake.fireEvent(asset.id, "video.asset.ready");
    await fake.webhooks.flush();
    const [message] = worker.queue.take();
    const jobId = message?.body.jobId ?? "";

    // Attempt 1 fails: the message comes back when the backoff ends (attempt 1: 0.5–1 s → 1 s).
    const [first] = await worker.deliver([{ jobId }]);
    expect(first).toMatchObject({ action: "retry", delaySeconds: 1 });
    const afterFirst = await ingestJob(worker, asset.id);
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1 });
    expect(afterFirst.last_error).toContain("Unexpected response from Mux");

    // Delivered early (or duplicated): not due yet, so it is put back for the remaining time.
    await worker.run("UPDATE jobs SET available_at = ? WHERE id = ?", Date.now() + 30_000, jobId);
    const [early] = await worker.deliver([{ jobId, attempts: 2 }]);
    expect(early).toMatchObject({ action: "retry" });
    expect(early?.action === "retry" && early.delaySeconds).toBeGreaterThanOrEqual(29);
    expect((await ingestJob(worker, asset.id)).attempts).toBe(1);

    await makeDue(worker, jobId);
    expect((await worker.deliver([{ jobId, attempts: 3 }]))[0]).toMatchObject({ action: "retry" });
    await makeDue(worker, jobId);
    // The last attempt: dead, the object failed with the reason, and the message is done with.
    expect((await worker.deliver([{ jobId, attempts: 4 }]))[0]).toMatchObject({ action: "ack" });
    expect(await ingestJob(worker, asset.id)).toMatchObject({ status: "dead", attempts: 3 });
    const object = await objectOf(worker, asset.id);
    expect(object).toMatchObject({ state: "failed", reason: "ingest_failed" });
    expect(object?.message).toContain("Gave up after 3 attempts");
    expect(worker.queue.take()).toEqual([]);
  });

  it("dead-letters the job of a message that reached the dead-letter queue", async () => {
    const worker = createWorkerHarness();
    const fake = startFakeMux(worker);
    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    garbleAsset(asset.id);
    fake.fireEvent(asset.id, "video.asset.ready");
    await fake.webhooks.flush();
    const jobId = worker.queue.take()[0]?.body.jobId ?? "";
    expect((await worker.deliver([{ jobId }]))[0]).toMatchObject({ action: "retry" });

    // Queues gave up on the message (say the consumer kept crashing): it arrives on the DLQ.
    const [outcome] = await worker.deliver([{ jobId, attempts: 101 }], DEAD_LETTER_QUEUE);
    expect(outcome).toMatchObject({ action: "ack" });
    expect((await ingestJob(worker, asset.id)).status).toBe("dead");
    const object = await objectOf(worker, asset.id);
    expect(object?.state).toBe("failed");
    expect(object?.message).toContain("dead-letter queue");
    expect(object?.message).toContain("Unexpected response from Mux");

    // A second copy of the dead letter changes nothing.
    expect((await worker.deliver([{ jobId }], DEAD_LETTER_QUEUE))[0]).toMatchObject({ action: "ack" });
  });

  it("leaves a webhook's job to the cron when the queue send fails, and nothing waits forever", async () => {
    const worker = createWorkerHarness();
    const fake = startFakeMux(worker);
    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    worker.queue.failing = true;
    fake.fireEvent(asset.id, "video.asset.ready");
    await fake.webhooks.flush();
    worker.queue.failing = false;
    // The webhook was still acknowledged: its event and job are durable in D1.
    expect((await ingestJob(worker, asset.id)).status).toBe("pending");
    expect(worker.queue.take()).toEqual([]);

    // Within the lost-message window the cron leaves it alone (its message may be in flight)...
    await worker.scheduled();
    const job = await ingestJob(worker, asset.id);
    expect(worker.queue.take().map((m) => m.body.jobId)).not.toContain(job.id);
    // ...and once it counts as lost, the cron sends it again.
    await worker.run("UPDATE job_messages SET due_at = ? WHERE job_id = ?", Date.now() - 5 * 60_000, job.id);
    await worker.scheduled();
    expect(worker.queue.peek().map((m) => m.body.jobId)).toContain(job.id);
    await worker.drain();
    expect((await objectOf(worker, asset.id))?.state).toBe("ready");
  });
});
