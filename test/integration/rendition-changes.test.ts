/**
 * Renditions change after an asset is ready, as on Mux: files of the Static Renditions API become
 * ready one by one minutes apart, files are added and deleted, legacy `mp4_support` is switched
 * off, a live stream's MP4s come only when it ends. The pipeline hears of a change to the chosen
 * file (`object.updated`) or of the last file going (`object.deleted`, `no_rendition`), and of
 * nothing else.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mirror, storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

/** The fake's timings for a new asset: ready at 2 s, the first file at 5 s, the next 1 s later. */
const FIRST_FILE_MS = 5_000;
const STAGGER_MS = 1_000;

async function step(ms: number) {
  await h.fake.advance(ms);
  await h.settleAll();
}

describe("files that become ready one by one", () => {
  it("sends object.updated when a file it prefers becomes ready after the one it delivered", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({
      staticRenditions: ["1080p", "720p"],
      renditionOrder: "listed",
      renditionStaggerMs: STAGGER_MS,
    });
    await step(FIRST_FILE_MS);
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("1080p.mp4");

    // The default preference takes the lightest video file: 720p, ready a second later.
    await step(STAGGER_MS);
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("720p.mp4");
    const perFile = h.fake.eventLog().filter((e) => e.type === "video.asset.static_rendition.ready");
    expect(perFile.length).toBe(2);
  });

  it("writes and sends nothing when a file it does not choose becomes ready later", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({
      staticRenditions: ["720p", "1080p"],
      renditionOrder: "listed",
      renditionStaggerMs: STAGGER_MS,
    });
    await step(FIRST_FILE_MS);
    const version = h.objectOf(asset.id)?.version;
    await step(STAGGER_MS);
    await h.settle();
    expect(h.fake.getAsset(asset.id)?.static_renditions?.files?.every((f) => f.status === "ready")).toBe(
      true,
    );
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(h.objectOf(asset.id)?.version).toBe(version);
  });
});

describe("files added and deleted", () => {
  it("moves to the next file when the chosen one is deleted, and leaves (no_rendition) with the last", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({ staticRenditions: ["720p", "1080p"] });
    await h.settle();
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("720p.mp4");

    h.fake.deleteStaticRendition(asset.id, "720p.mp4");
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    const moved = mirror(h.pipeline.accepted).get(asset.id);
    expect(moved?.rendition).toBe("1080p.mp4");
    expect(moved?.data.rendition).toMatchObject({ url: expect.stringContaining("/1080p.mp4") });

    h.fake.deleteStaticRendition(asset.id, "1080p.mp4");
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual([
      "object.ready",
      "object.updated",
      "deleted:no_rendition",
    ]);
    expect(mirror(h.pipeline.accepted).has(asset.id)).toBe(false);
    // Waiting, within the grace period, for a file to be made again; the row keeps the last file
    // it had, as the object.deleted payload does, to name what left.
    expect(h.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });
    expect(JSON.parse(String(h.objectOf(asset.id)?.rendition)).name).toBe("1080p.mp4");
  });

  it("sends object.updated once a rendition it prefers is added and ready", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({ staticRenditions: ["1080p"] });
    await h.settle();
    h.fake.addStaticRendition(asset.id, "480p");
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("480p.mp4");
  });

  it("never sends a file that was deleted while its object.ready waited for the pipeline", async () => {
    h = await createPipelineWorld();
    h.pipeline.script.push(503, 503, 503);
    const asset = h.fake.createAsset({ staticRenditions: ["720p", "1080p"] });
    await h.settle();
    expect(h.pipeline.accepted).toEqual([]);
    h.fake.deleteStaticRendition(asset.id, "720p.mp4");
    await h.settle();
    await h.drainWithBackoff();
    // The pending object.ready is coalesced with the change: one object.ready with 1080p.
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("1080p.mp4");
  });
});

describe("legacy mp4_support", () => {
  it("leaves (no_rendition) when MP4 support is turned off, and joins again when it is back", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    h.fake.setMp4Support(asset.id, "none");
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:no_rendition"]);
    expect(h.fake.eventLog().map((e) => e.type)).toContain("video.asset.static_renditions.deleted");

    h.fake.setMp4Support(asset.id, "standard");
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual([
      "object.ready",
      "deleted:no_rendition",
      "object.ready",
    ]);
  });

  it("leaves while its files are re-made (Mux lists none then), and joins again with the new file", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({ mp4Support: "capped-1080p" });
    await h.settle();
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("capped-1080p.mp4");
    h.fake.setMp4Support(asset.id, "standard");
    await h.fake.webhooks.flush();
    await h.runner.drain();
    expect(h.fake.getAsset(asset.id)?.static_renditions).toEqual({ status: "preparing" });
    expect(h.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:no_rendition"]);
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual([
      "object.ready",
      "deleted:no_rendition",
      "object.ready",
    ]);
    expect(mirror(h.pipeline.accepted).get(asset.id)?.rendition).toBe("low.mp4");
  });
});

describe("assets of live streams", () => {
  it("waits while the stream is live (playable, no MP4) and joins once its MP4s are made", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({ live: true, staticRenditions: ["highest"] });
    await h.settle();
    expect(h.fake.getAsset(asset.id)).toMatchObject({ status: "ready", is_live: true });
    expect(h.objectOf(asset.id)).toMatchObject({ state: "waiting_for_rendition" });
    expect(h.pipeline.accepted).toEqual([]);
    h.fake.completeLiveStream(asset.id);
    await h.settle();
    expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
  });
});

describe("an update Mux sends on its own", () => {
  it("sends nothing for a video.asset.updated that follows ready with nothing changed", async () => {
    h = await createPipelineWorld({ fake: { lifecycle: { spontaneousUpdateRate: 1 } } });
    const assets = [
      h.fake.createAsset({ mp4Support: "standard" }),
      h.fake.createAsset({ mp4Support: "standard" }),
    ];
    await h.settle();
    const updates = h.fake.eventLog().filter((e) => e.type === "video.asset.updated");
    expect(updates.length).toBe(2);
    for (const asset of assets) expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
  });
});
