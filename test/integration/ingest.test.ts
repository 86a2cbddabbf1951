import { afterEach, describe, expect, it } from "vitest";
import { TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

let h: FakeMuxHarness;
afterEach(() => h?.close());

async function lifecycle(spec: Parameters<FakeMuxHarness["fake"]["createAsset"]>[0]) {
  const asset = h.fake.createAsset(spec);
  await h.settleAll();
  await h.fake.settle();
  await h.settleAll();
  return asset;
}

describe("ingest through webhooks", () => {
  it("takes a public asset with legacy MP4 support to ready with the smallest preferred rendition", async () => {
    h = await createFakeMuxHarness({ fake: { lifecycle: { readyAfterMs: 1000, renditionsAfterMs: 5000 } } });
    const asset = h.fake.createAsset({ mp4Support: "standard", width: 1920, height: 1080 });
    await h.settleAll();
    await h.fake.advance(1000);
    await h.settleAll();
    await h.fake.advance(5000);
    await h.settleAll();
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "ready", playback_policy: "public", discovered_via: "webhook" });
    const rendition = JSON.parse(String(object?.rendition));
    expect(rendition.name).toBe("low.mp4");
    expect(rendition.url).toBe(`https://stream.mux.com/${asset.playback_ids?.[0]?.id}/low.mp4`);
    expect(rendition.filesize).toBeGreaterThan(0);
    const history = h.database.sqlite
      .prepare("select state from object_history order by id")
      .all()
      .map((r) => (r as { state: string }).state);
    expect(history).toEqual(["waiting_for_asset", "waiting_for_rendition", "ready"]);
  });

  it("moves waiting_for_rendition to ready on video.asset.static_rendition.ready", async () => {
    h = await createFakeMuxHarness({
      fake: { lifecycle: { readyAfterMs: 1000, renditionsAfterMs: 60_000 } },
    });
    const asset = h.fake.createAsset({ staticRenditions: ["highest"] });
    await h.fake.advance(1000);
    await h.settleAll();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });
    const before = h.fake.stats().retrieveCalls;
    await h.fake.advance(60_000);
    await h.settleAll();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "ready" });
    expect(JSON.parse(String(h.objectOf(asset.id)?.rendition)).name).toBe("highest.mp4");
    const types = h.fake.eventLog().map((e) => e.type);
    expect(types).toContain("video.asset.static_rendition.ready");
    expect(h.fake.stats().retrieveCalls).toBeGreaterThan(before);
  });

  it("never moves a ready object back when an older event arrives late", async () => {
    h = await createFakeMuxHarness();
    const asset = await lifecycle({ mp4Support: "standard" });
    const before = h.objectOf(asset.id);
    expect(before).toMatchObject({ state: "ready" });
    const created = h.fake.eventLog().find((e) => e.type === "video.asset.created");
    if (!created) throw new Error("the fake should have emitted video.asset.created");
    // A redelivery under a fresh id (a late retry is indistinguishable from a new event for dedupe).
    const body = JSON.stringify({ ...created, id: `${created.id}-late` });
    const res = await h.app.request("/webhooks/mux", {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(h.clock.now() / 1000)),
      },
    });
    expect(res.status).toBe(200);
    await h.runner.drain();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "ready", version: before?.version });
  });

  it("runs the job once per duplicate-free event, even when Mux sends an event twice", async () => {
    h = await createFakeMuxHarness({ fake: { faults: { duplicateRate: 1 } } });
    const asset = await lifecycle({ mp4Support: "standard" });
    const webhooks = h.fake.stats().webhooks;
    expect(webhooks.duplicated).toBeGreaterThan(0);
    const distinct = new Set(h.fake.eventLog().map((e) => e.id)).size;
    const rows = h.database.sqlite.prepare("select count(*) as n from webhook_events").get() as { n: number };
    expect(rows.n).toBe(distinct);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "ready" });
  });

  it.each([
    ["an errored asset", { outcome: "errored" as const }, "asset_errored"],
    [
      "an asset without playback ids",
      { playbackPolicies: [] as never[], mp4Support: "standard" as const },
      "no_playback_id",
    ],
    ["a DRM-only asset", { playbackPolicies: ["drm" as const], mp4Support: "standard" as const }, "drm_only"],
    [
      "a signed asset without a signing key",
      { playbackPolicies: ["signed" as const], mp4Support: "standard" as const },
      "signed_without_key",
    ],
  ])("skips %s with a readable reason", async (_name, spec, reason) => {
    h = await createFakeMuxHarness();
    const asset = await lifecycle(spec);
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "skipped", reason });
    expect(String(object?.message).length).toBeGreaterThan(20);
  });

  it("waits for a rendition when the asset has no MP4 support, and skips it after the grace period", async () => {
    h = await createFakeMuxHarness();
    const asset = await lifecycle({ mp4Support: "none" });
    expect(h.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });
    h.clock.advance(24 * 3600_000);
    h.fake.fireEvent(asset.id, "video.asset.updated");
    await h.settleAll();
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
    expect(String(object?.message)).toContain("enable static renditions");
  });

  it("marks an object deleted when Mux answers 404", async () => {
    h = await createFakeMuxHarness();
    const asset = await lifecycle({ mp4Support: "standard" });
    h.fake.deleteAsset(asset.id);
    await h.settleAll();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "deleted", reason: "deleted_in_mux" });
  });

  it("ignores assets outside a mux://{asset_id} sync", async () => {
    h = await createFakeMuxHarness({ env: { SOURCE_PATH: "mux://onlythisone" } });
    const asset = await lifecycle({ mp4Support: "standard" });
    expect(h.objectOf(asset.id)).toBeUndefined();
    const jobs = h.database.sqlite.prepare("select count(*) as n from jobs").get() as { n: number };
    expect(jobs.n).toBe(0);
  });

  it("dead-letters after the last attempt and marks the object failed with the error", async () => {
    h = await createFakeMuxHarness({ env: { JOB_MAX_ATTEMPTS: "3" }, fake: { faults: { errorRate: 1 } } });
    const body = JSON.stringify(muxEvent("video.asset.ready", { id: "assetX", status: "ready" }));
    await h.app.request("/webhooks/mux", {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(h.clock.now() / 1000)),
      },
    });
    for (let i = 0; i < 3; i++) {
      await h.runner.drain();
      h.clock.advance(10 * 60_000);
    }
    const object = h.objectOf("assetX");
    expect(object).toMatchObject({ state: "failed", reason: "ingest_failed" });
    expect(String(object?.message)).toMatch(/Gave up after 3 attempts: Mux answered 5\d\d/);
    const job = h.database.sqlite.prepare("select status, attempts from jobs").get();
    expect(job).toEqual({ status: "dead", attempts: 3 });
  });
});
