/**
 * The push path on Workers: a signed webhook hits the Worker's `fetch`, lands in D1 with its job,
 * the job's message goes to the queue, and the consumer ingests the asset from the fake Mux.
 */
import { describe, expect, it } from "vitest";
import { muxEvent, muxSignature } from "../helpers/sign-mux";
import { startFakeMux, useNetwork } from "./helpers/fake-mux";
import { TEST_WEBHOOK_SECRET } from "./helpers/test-vars";
import { createWorkerHarness, type WorkerHarness } from "./helpers/worker-harness";

useNetwork();

function signedWebhook(worker: WorkerHarness, body: string, secret = TEST_WEBHOOK_SECRET) {
  return worker.fetch("/webhooks/mux", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "mux-signature": muxSignature(body, secret, Math.floor(Date.now() / 1000)),
    },
  });
}

describe("webhooks on Workers", () => {
  it("takes a signed webhook through D1 and the queue to a ready object", async () => {
    const worker = createWorkerHarness();
    const fake = startFakeMux(worker);
    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    const body = JSON.stringify(muxEvent("video.asset.ready", { id: asset.id, status: "ready" }));

    const res = await signedWebhook(worker, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });

    const [event] = await worker.rows<{ outcome: string; jobs_enqueued: number }>(
      "SELECT outcome, jobs_enqueued FROM webhook_events WHERE asset_id = ?",
      asset.id,
    );
    expect(event).toEqual({ outcome: "enqueued", jobs_enqueued: 1 });
    const [job] = await worker.rows<{ id: string; status: string }>(
      "SELECT id, status FROM jobs WHERE idempotency_key = ?",
      `ingest:syn_default:${asset.id}`,
    );
    expect(job?.status).toBe("pending");
    // The 200 waited for D1 only; the message went out right after, naming the job.
    expect(worker.queue.peek()).toEqual([{ body: { jobId: job?.id }, delaySeconds: 0 }]);

    const [outcome] = await worker.deliver(worker.queue.take().map((m) => ({ jobId: m.body.jobId })));
    expect(outcome).toMatchObject({ action: "ack", explicit: true });
    const [object] = await worker.rows<{ state: string; discovered_via: string; rendition: string }>(
      "SELECT state, discovered_via, rendition FROM objects WHERE asset_id = ?",
      asset.id,
    );
    expect(object).toMatchObject({ state: "ready", discovered_via: "webhook" });
    expect(JSON.parse(object?.rendition ?? "{}").name).toBe("low.mp4");
    const [done] = await worker.rows<{ status: string }>("SELECT status FROM jobs WHERE id = ?", job?.id);
    expect(done?.status).toBe("done");
  });

  it("gives a duplicate webhook, and a message delivered twice, no second effect", async () => {
    const worker = createWorkerHarness();
    const fake = startFakeMux(worker);
    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    // As Mux sends it: from the environment the asset lives in (connections are pinned to it).
    const body = JSON.stringify(
      muxEvent("video.asset.ready", { id: asset.id, status: "ready" }, { environment: fake.environment }),
    );

    expect(await (await signedWebhook(worker, body)).json()).toEqual({ received: true, duplicate: false });
    const duplicate = await signedWebhook(worker, body);
    expect(duplicate.status).toBe(200);
    expect(await duplicate.json()).toEqual({ received: true, duplicate: true });
    const sent = worker.queue.take();
    expect(sent).toHaveLength(1);
    const jobId = sent[0]?.body.jobId ?? "";

    // Queues is at-least-once: the same message twice in one batch, then once more later.
    const retrievesBefore = fake.stats().retrieveCalls;
    const outcomes = await worker.deliver([{ jobId }, { jobId }]);
    expect(outcomes.map((o) => o.action)).toEqual(["ack", "ack"]);
    await worker.deliver([{ jobId, attempts: 2 }]);
    expect(fake.stats().retrieveCalls - retrievesBefore).toBe(1);

    const events = await worker.rows("SELECT id FROM webhook_events WHERE asset_id = ?", asset.id);
    expect(events).toHaveLength(1);
    const history = await worker.rows<{ state: string }>(
      "SELECT h.state FROM object_history h JOIN objects o ON o.id = h.object_id WHERE o.asset_id = ?",
      asset.id,
    );
    expect(history.map((h) => h.state)).toEqual(["ready"]);
    expect(worker.queue.take()).toEqual([]);
  });

  it("answers 401 to a bad signature and writes nothing", async () => {
    const worker = createWorkerHarness();
    const body = JSON.stringify(muxEvent("video.asset.ready", { id: "asset-forged", status: "ready" }));
    const res = await signedWebhook(worker, body, "not-the-secret");
    expect(res.status).toBe(401);
    expect(await worker.rows("SELECT id FROM webhook_events WHERE asset_id = 'asset-forged'")).toEqual([]);
    expect(worker.queue.take()).toEqual([]);
  });

  it("answers 500 with every configuration problem, naming variables, never values", async () => {
    const worker = createWorkerHarness({
      vars: { ENCRYPTION_KEY: "", MUX_TOKEN_ID: "not-a-uuid", STORAGE_DIR: "/data" },
    });
    const res = await worker.fetch("/healthz");
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; details: string[] } };
    expect(body.error.code).toBe("CONFIG");
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MUX_TOKEN_ID must be a UUID/),
        expect.stringMatching(/^ENCRYPTION_KEY is required on Workers/),
        expect.stringMatching(/^STORAGE_DIR has no meaning on Workers/),
      ]),
    );
    expect(JSON.stringify(body)).not.toContain("not-a-uuid");
  });

  it("refuses REMOVE_CREATED_RENDITIONS without an R2 bucket, naming both", async () => {
    const worker = createWorkerHarness({ vars: { REMOVE_CREATED_RENDITIONS: "true" } });
    const res = await worker.fetch("/healthz");
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { details: string[] } }).error.details).toEqual([
      "REMOVE_CREATED_RENDITIONS needs stored copies of the renditions: bind an R2 bucket as RENDITIONS",
    ]);
    const bound = createWorkerHarness({ vars: { REMOVE_CREATED_RENDITIONS: "true" }, r2: true });
    expect((await bound.fetch("/healthz")).status).toBe(200);
  });

  it("serves the same app: readiness reaches D1", async () => {
    const worker = createWorkerHarness();
    const res = await worker.fetch("/readyz");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});
