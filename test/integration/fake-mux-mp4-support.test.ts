/**
 * The legacy `PUT /video/v1/assets/:id/mp4-support` through the official SDK: the aggregate
 * status goes back to `preparing` while files are made or removed, then `ready` with the new
 * list, or, for `none`, the files go and `video.asset.static_renditions.deleted` fires.
 */
import Mux from "@mux/mux-node";
import { describe, expect, it } from "vitest";
import { fakeMuxWithSdk } from "../helpers/fake-mux-sdk";

const HOOK_URL = "https://hooks.test/mp4-support";
const STREAM = "https://stream.mux.com";

const setup = () =>
  fakeMuxWithSdk(HOOK_URL, Date.UTC(2026, 2, 1, 9), {
    lifecycle: { readyAfterMs: 2000, renditionsAfterMs: 3000 },
  });

const served = async (playbackId: string, name: string) =>
  (await fetch(`${STREAM}/${playbackId}/${name}`, { method: "HEAD" })).status;

describe("PUT /video/v1/assets/:id/mp4-support", () => {
  it("goes back to preparing while the new files are made, then ready with the new list", async () => {
    const { fake, mux, received } = setup();
    const created = fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    const playbackId = created.playback_ids?.[0]?.id ?? "";
    expect(await served(playbackId, "capped-1080p.mp4")).toBe(200);

    const answer = await mux.video.assets.updateMP4Support(created.id, {
      mp4_support: "audio-only,capped-1080p",
    });
    expect(answer).toMatchObject({
      mp4_support: "audio-only,capped-1080p",
      static_renditions: { status: "preparing" },
    });
    expect(answer.static_renditions).not.toHaveProperty("files");
    expect(fake.stats().calls["PUT /video/v1/assets/:id/mp4-support"]).toEqual({ "200": 1 });
    expect(await served(playbackId, "capped-1080p.mp4")).toBe(404);

    await fake.advance(2999);
    expect((await mux.video.assets.retrieve(created.id)).static_renditions?.status).toBe("preparing");
    await fake.advance(1);
    const ready = await mux.video.assets.retrieve(created.id);
    expect(ready.static_renditions?.status).toBe("ready");
    expect(ready.static_renditions?.files?.map((f) => f.name)).toEqual(["audio.m4a", "capped-1080p.mp4"]);
    expect(await served(playbackId, "audio.m4a")).toBe(200);
    expect(await served(playbackId, "capped-1080p.mp4")).toBe(200);

    expect(received.map((e) => e.type)).toEqual([
      "video.asset.static_renditions.preparing",
      "video.asset.static_renditions.ready",
    ]);
    const data = received[1]?.data as { static_renditions: { files: Array<{ name: string }> } };
    expect(data.static_renditions.files.map((f) => f.name)).toEqual(["audio.m4a", "capped-1080p.mp4"]);
  });

  it("removes every file for none, then fires video.asset.static_renditions.deleted", async () => {
    const { fake, mux, received } = setup();
    const created = fake.createAsset({ status: "ready", mp4Support: "standard", width: 1280, height: 720 });
    const playbackId = created.playback_ids?.[0]?.id ?? "";
    expect(await served(playbackId, "low.mp4")).toBe(200);

    const answer = await mux.video.assets.updateMP4Support(created.id, { mp4_support: "none" });
    expect(answer).toMatchObject({ mp4_support: "none", static_renditions: { status: "preparing" } });
    expect(await served(playbackId, "low.mp4")).toBe(404);
    await fake.advance(3000);
    const after = await mux.video.assets.retrieve(created.id);
    expect(after.mp4_support).toBe("none");
    expect(after).not.toHaveProperty("static_renditions");
    expect(await served(playbackId, "high.mp4")).toBe(404);
    expect(received.map((e) => e.type)).toEqual(["video.asset.static_renditions.deleted"]);
    expect(received[0]?.data).toMatchObject({ id: created.id, mp4_support: "none" });
  });

  it("turns MP4s on for an asset that had none, and then lets them be migrated to the new API", async () => {
    const { fake, mux, received } = setup();
    const { id } = fake.createAsset({ status: "ready" });
    expect((await mux.video.assets.updateMP4Support(id, { mp4_support: "capped-1080p" })).mp4_support).toBe(
      "capped-1080p",
    );
    await fake.advance(3000);
    expect(fake.getAsset(id)?.static_renditions).toMatchObject({
      status: "ready",
      files: [{ name: "capped-1080p.mp4" }],
    });

    // Mux's migration: mp4_support none first, then static renditions.
    await mux.video.assets.updateMP4Support(id, { mp4_support: "none" });
    await fake.advance(3000);
    await mux.video.assets.createStaticRendition(id, { resolution: "highest" });
    await fake.advance(3000);
    expect(fake.getAsset(id)?.static_renditions?.files).toMatchObject([
      { name: "highest.mp4", status: "ready" },
    ]);
    expect(received.map((e) => e.type)).toEqual([
      "video.asset.static_renditions.preparing",
      "video.asset.static_renditions.ready",
      "video.asset.static_renditions.deleted",
      "video.asset.static_rendition.created",
      "video.asset.static_rendition.ready",
    ]);
  });

  it("refuses mp4_support beside static renditions (400), and an unknown asset (404)", async () => {
    const { fake, mux } = setup();
    const { id } = fake.createAsset({ status: "ready", staticRenditions: ["highest"] });
    await expect(
      mux.video.assets.updateMP4Support(id, { mp4_support: "capped-1080p" }),
    ).rejects.toBeInstanceOf(Mux.BadRequestError);
    await expect(
      mux.video.assets.updateMP4Support("noSuchAsset", { mp4_support: "none" }),
    ).rejects.toBeInstanceOf(Mux.NotFoundError);
    expect(fake.getAsset(id)).not.toHaveProperty("mp4_support");
  });

  it("waits for a preparing asset to be ready, and works from the handle and the control API", async () => {
    const { fake, received } = setup();
    const { id } = fake.createAsset({});
    expect(fake.setMp4Support(id, "capped-1080p")?.static_renditions).toEqual({ status: "preparing" });
    await fake.advance(2000);
    expect(fake.getAsset(id)).toMatchObject({ status: "ready", static_renditions: { status: "preparing" } });
    await fake.advance(3000);
    expect(fake.getAsset(id)?.static_renditions?.status).toBe("ready");

    const response = await fake.fetch(
      new Request(`http://fake/_fake/assets/${id}/mp4-support`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mp4_support: "none" }),
      }),
    );
    expect(response.status).toBe(200);
    await fake.settle();
    expect(fake.getAsset(id)?.mp4_support).toBe("none");
    expect(received.map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.ready",
      "video.asset.static_renditions.ready",
      "video.asset.static_renditions.deleted",
    ]);
    expect(fake.setMp4Support("noSuchAsset", "none")).toBeUndefined();
  });
});
