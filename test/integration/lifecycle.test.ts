/**
 * The bucket in step with the library, as the pipeline sees it: edits reach it as
 * `object.updated`, departures as `object.deleted` with their reason, returns as `object.ready`,
 * and nothing it would not care about (a message, a duplicate event) sends anything. Against the
 * fake Mux, through webhooks and passes.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { WEBHOOK_RACE_MS } from "../../src/sync/run-record";
import { network } from "../helpers/no-network";
import { mirror, storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, PIPELINE_URL, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

async function withPipeline(options: Parameters<typeof createPipelineWorld>[0] = {}) {
  h = await createPipelineWorld(options);
  return h.pipeline;
}

describe("metadata edits", () => {
  it("stores the edit and sends object.updated with the full current object, under a new webhook-id", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({
      mp4Support: "standard",
      meta: { title: "Before" },
      passthrough: "p1",
    });
    await h.settle();
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready"]);

    h.fake.updateAsset(asset.id, { meta: { title: "After" }, passthrough: "p2" });
    await h.settle();
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    const [ready, updated] = pipeline.accepted;
    expect(updated?.id).not.toBe(ready?.id);
    expect(updated?.body.data).toMatchObject({
      metadata: { title: "After", passthrough: "p2" },
      rendition: { name: "low.mp4" },
      source: { asset_id: asset.id },
    });
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(JSON.parse(String(h.objectOf(asset.id)?.metadata))).toMatchObject({
      title: "After",
      passthrough: "p2",
    });
  });

  it("sends nothing for an update event that changes nothing the pipeline sees, or a duplicate", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const version = h.objectOf(asset.id)?.version;
    h.fake.fireEvent(asset.id, "video.asset.updated");
    h.fake.fireEvent(asset.id, "video.asset.ready");
    h.fake.fireEvent(asset.id, "video.asset.static_renditions.ready");
    await h.settle();
    await h.pass();
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(h.objectOf(asset.id)?.version).toBe(version);
  });

  it("stores a skipped object's edit without telling the pipeline", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({ mp4Support: "none", meta: { title: "No MP4" } });
    await h.settle();
    h.fake.updateAsset(asset.id, { meta: { title: "Still no MP4" } });
    await h.settle();
    expect(JSON.parse(String(h.objectOf(asset.id)?.metadata)).title).toBe("Still no MP4");
    expect(pipeline.accepted).toEqual([]);
  });
});

describe("changes whose webhook was lost", () => {
  it("finds an edit by the next sweep that lists the asset, and sends object.updated", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({ mp4Support: "standard", status: "ready", meta: { title: "Before" } });
    await h.pass("full");
    h.fake.setFaults({ dropRate: 1 });
    h.fake.updateAsset(asset.id, { meta: { title: "After" } });
    await h.settle();
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    h.clock.advance(60_000);
    await h.pass("full");
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    expect(mirror(pipeline.accepted).get(asset.id)?.title).toBe("After");
  });

  it("finds a rendition switched off by the next sweep, and sends object.deleted (no_rendition)", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    h.fake.setFaults({ dropRate: 1 });
    h.fake.setMp4Support(asset.id, "none");
    await h.fake.settle();
    h.clock.advance(60_000);
    await h.pass("full");
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:no_rendition"]);
  });

  it("re-judges nothing a sweep lists unchanged: no ingest job, no read, no version", async () => {
    await withPipeline();
    const assets = Array.from({ length: 30 }, () =>
      h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
    );
    await h.pass("full");
    const versions = assets.map((a) => h.objectOf(a.id)?.version);
    const reads = h.fake.stats().retrieveCalls;
    h.clock.advance(60_000);
    await h.pass("full");
    const last = h.database.sqlite
      .prepare("select enqueued from runs order by started_at desc, rowid desc limit 1")
      .get() as { enqueued: number };
    expect(last.enqueued).toBe(0);
    expect(h.fake.stats().retrieveCalls).toBe(reads);
    expect(assets.map((a) => h.objectOf(a.id)?.version)).toEqual(versions);
  });
});

describe("filters", () => {
  it("sends object.deleted (filtered) when an edit stops an asset matching, and object.ready when it matches again", async () => {
    const pipeline = await withPipeline();
    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      file_filters: { metadata_filters: [{ field: "passthrough", operator: "equals", value: "keep" }] },
    });
    await h.runner.drain();
    const asset = h.fake.createAsset({ mp4Support: "standard", passthrough: "keep" });
    await h.settle();
    h.fake.updateAsset(asset.id, { passthrough: "drop" });
    await h.settle();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "skipped", reason: "filtered" });
    h.fake.updateAsset(asset.id, { passthrough: "keep" });
    await h.settle();
    expect(storyOf(pipeline.accepted, asset.id)).toEqual([
      "object.ready",
      "deleted:filtered",
      "object.ready",
    ]);
    expect(mirror(pipeline.accepted).get(asset.id)?.passthrough).toBe("keep");
  });

  it("re-evaluates every object of the sync when its filters change: leavers, joiners and kept members", async () => {
    const pipeline = await withPipeline();
    const red = h.fake.createAsset({ mp4Support: "standard", passthrough: "red" });
    const blue = h.fake.createAsset({ mp4Support: "standard", passthrough: "blue" });
    await h.settle();
    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      file_filters: { metadata_filters: [{ field: "passthrough", operator: "equals", value: "blue" }] },
    });
    await h.runner.drain();
    expect(storyOf(pipeline.accepted, red.id)).toEqual(["object.ready", "deleted:filtered"]);
    expect(storyOf(pipeline.accepted, blue.id)).toEqual(["object.ready"]);

    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      file_filters: { metadata_filters: [{ field: "passthrough", operator: "equals", value: "red" }] },
    });
    await h.runner.drain();
    expect(storyOf(pipeline.accepted, red.id)).toEqual(["object.ready", "deleted:filtered", "object.ready"]);
    expect(storyOf(pipeline.accepted, blue.id)).toEqual(["object.ready", "deleted:filtered"]);
    expect([...mirror(pipeline.accepted).keys()]).toEqual([red.id]);
  });

  it("announces a changed rendition choice as object.updated when the preference changes", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({ mp4Support: "standard", width: 1920, height: 1080 });
    await h.settle();
    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", { rendition_preference: ["high"] });
    await h.runner.drain();
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    expect(mirror(pipeline.accepted).get(asset.id)?.rendition).toBe("high.mp4");
  });
});

describe("deletions", () => {
  it("sends object.deleted for an object whose object.ready was in flight when the asset was deleted", async () => {
    const pipeline = await withPipeline({ pipeline: "manual" });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let first = true;
    network.use(
      http.post(PIPELINE_URL, async ({ request }) => {
        if (first) {
          first = false;
          reached();
          await held;
        }
        return new HttpResponse(null, { status: await pipeline.handle(request) });
      }),
    );
    const asset = h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    h.fake.fireEvent(asset.id, "video.asset.ready");
    await h.fake.webhooks.flush();
    const draining = h.runner.drain();
    await inFlight;
    // While the pipeline holds object.ready, the asset is deleted and the deletion processed.
    h.fake.deleteAsset(asset.id);
    await h.fake.webhooks.flush();
    release();
    await draining;
    await h.drainWithBackoff();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "deleted", reason: "deleted_in_mux" });
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:deleted_in_mux"]);
    expect(mirror(pipeline.accepted).size).toBe(0);
  });
});

describe("renditions and messages", () => {
  it("downloads a file once and delivers it once, however many events and passes follow (regression)", async () => {
    const pipeline = await withPipeline({ storage: true });
    const asset = h.fake.createAsset({ staticRenditions: ["highest"] });
    await h.settle();
    const downloads = () => h.fake.stats().downloads.requests;
    const before = downloads();
    for (let i = 0; i < 3; i++) {
      h.fake.fireEvent(asset.id, "video.asset.static_rendition.ready", "highest.mp4");
      h.fake.fireEvent(asset.id, "video.asset.ready");
    }
    await h.settle();
    await h.pass();
    expect(downloads()).toBe(before);
    expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
  });
});

describe("repairs", () => {
  it("does not count the end of a rendition grace period as a repair", async () => {
    await withPipeline({ env: { RENDITION_GRACE_SECONDS: "60" } });
    await h.pass("full");
    const asset = h.fake.createAsset({ mp4Support: "none", status: "ready" });
    await h.pass("full");
    expect(h.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });
    h.clock.advance(61_000);
    await h.pass("triggered");
    expect(h.objectOf(asset.id)).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
    const last = h.database.sqlite
      .prepare("select repaired, enqueued from runs order by started_at desc, rowid desc limit 1")
      .get() as { repaired: number; enqueued: number };
    // The pass did the work (it enqueued the asset), but no webhook was missed.
    expect(last).toEqual({ repaired: 0, enqueued: 1 });
  });

  // A pass's job that is already running when the asset's webhook arrives applies the change
  // first (the webhook's job then finds nothing to do): nothing was missed (regression: the demo
  // counted such a race as a repair). A webhook about the asset older than the race window does
  // not excuse a change the webhooks never brought, nor does one the object's last write took in
  // (held by the poller's 30 %-dropped test: an asset's `created` arrived, its `ready` did not).
  it.each([
    { webhookAgeMs: 0, repaired: 0 },
    { webhookAgeMs: WEBHOOK_RACE_MS + 1_000, repaired: 1 },
  ])(
    "counts a pass's change as a repair only without a webhook about the asset in the last minute (webhook $webhookAgeMs ms old)",
    async ({ webhookAgeMs, repaired }) => {
      await withPipeline();
      await h.pass("full");
      h.fake.setWebhookUrl(null);
      const asset = h.fake.createAsset({ mp4Support: "standard", status: "ready" });
      const connectionId = h.database.sqlite.prepare("select id from connections").pluck().get();
      h.database.sqlite
        .prepare(
          `INSERT INTO webhook_events (id, connection_id, type, asset_id, outcome, nonce, received_at)
         VALUES ('evt_raced', ?, 'video.asset.ready', ?, 'enqueued', 'n', ?)`,
        )
        .run(connectionId, asset.id, h.clock.now() - webhookAgeMs);
      await h.pass("full");
      expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
      const last = h.database.sqlite
        .prepare("select repaired, enqueued from runs order by started_at desc, rowid desc limit 1")
        .get();
      expect(last).toEqual({ repaired, enqueued: 1 });
    },
  );
});
