/**
 * A poll's ingest job reads the asset from the listing that enqueued it (a snapshot up to 60 s old)
 * instead of a GET. Such a snapshot may predate the asset's MP4s: judged after the rendition grace
 * period, it must not get the asset skipped as `no_static_renditions` when Mux has the MP4s by then.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ingestJob, ingestKey } from "../../src/jobs/ingest";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

let h: FakeMuxHarness | undefined;
afterEach(() => h?.close());

const SYNC = "syn_default";

describe("a listing snapshot taken before the MP4s existed", () => {
  it("does not skip the asset as no_static_renditions: giving up is decided on a fresh read", async () => {
    h = await createFakeMuxHarness({
      env: { RENDITION_GRACE_SECONDS: "5" },
      // Webhooks lost: only the poller's jobs look at the asset.
      fake: { faults: { dropRate: 1 }, signingKey: { id: "k", privateKeyBase64: "unused" } },
    });
    const harness = h;
    const asset = harness.fake.createAsset({
      status: "ready",
      mp4Support: "standard",
      renditionsReady: false,
      renditionsAfterMs: 3_000,
    });
    const ingest = async (payload: Record<string, unknown>) => {
      await harness.deps.jobs.enqueue({
        type: ingestJob.type,
        key: ingestKey(SYNC, asset.id),
        payload: { syncId: SYNC, assetId: asset.id, via: "poll", ...payload },
      });
      await harness.runner.drain();
    };
    await ingest({});
    expect(harness.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });

    // The listing sees the asset still without MP4s ...
    harness.clock.advance(1_000);
    const snapshot = harness.fake.getAsset(asset.id);
    expect(snapshot?.static_renditions?.status).toBe("preparing");
    const snapshotAt = harness.clock.now();
    // ... its job runs after the grace period, when Mux has made them.
    harness.clock.advance(5_000);
    await harness.fake.advance(0);
    expect(harness.fake.getAsset(asset.id)?.static_renditions?.status).toBe("ready");

    await ingest({ snapshot, snapshotAt });
    expect(harness.objectOf(asset.id)).toMatchObject({ state: "ready", reason: null });
  });
});
