/**
 * Assets recorded from a live stream, through the official SDK: playable (`ready`) while live
 * with `is_live: true` and no MP4s; `completeLiveStream` ends the stream
 * (`video.asset.live_stream_completed`), and only then are its MP4s made, with their events.
 */
import { describe, expect, it } from "vitest";
import { fakeMuxWithSdk } from "../helpers/fake-mux-sdk";

const HOOK_URL = "https://hooks.test/live";
const STREAM = "https://stream.mux.com";

const setup = () =>
  fakeMuxWithSdk(HOOK_URL, Date.UTC(2026, 5, 1, 18), {
    lifecycle: { readyAfterMs: 2000, renditionsAfterMs: 3000, renditionStaggerMs: 1000 },
  });

const head = async (playbackId: string, name: string) =>
  (await fetch(`${STREAM}/${playbackId}/${name}`, { method: "HEAD" })).status;

describe("live-stream assets", () => {
  it("are ready and live with no MP4s until the stream completes, then make them one by one", async () => {
    const { fake, clock, mux, received } = setup();
    const created = fake.createAsset({
      live: true,
      staticRenditions: ["1080p", "audio-only"],
      duration: 600,
    });
    const playbackId = created.playback_ids?.[0]?.id ?? "";
    await fake.advance(2000);

    const live = await mux.video.assets.retrieve(created.id);
    expect(live).toMatchObject({
      status: "ready",
      is_live: true,
      live_stream_id: expect.stringMatching(/^[0-9A-Za-z]{20,}$/),
      ingest_type: "live_rtmp",
      progress: { state: "live", progress: -1 },
    });
    expect(live).not.toHaveProperty("recording_times");
    expect(live.static_renditions?.files?.map((f) => f.status)).toEqual(["preparing", "preparing"]);
    const added = await mux.video.assets.createStaticRendition(created.id, { resolution: "720p" });
    await fake.advance(60 * 60_000); // an hour of streaming
    expect(
      (await mux.video.assets.retrieve(created.id)).static_renditions?.files?.map((f) => f.status),
    ).toEqual(["preparing", "preparing", "preparing"]);
    expect(await head(playbackId, "1080p.mp4")).toBe(404);

    const completedAt = clock.now();
    const completed = fake.completeLiveStream(created.id);
    expect(completed).toMatchObject({
      is_live: false,
      progress: { state: "completed", progress: 100 },
      duration: 600,
    });
    expect(completed?.recording_times).toEqual([
      {
        started_at: new Date(completedAt - 60 * 60_000 - 2000).toISOString(),
        duration: 600,
        type: "content",
      },
    ]);
    await fake.advance(3000);
    expect(await head(playbackId, "audio.m4a")).toBe(200);
    expect(await head(playbackId, "720p.mp4")).toBe(404);
    await fake.advance(2000);
    expect(await head(playbackId, "720p.mp4")).toBe(200);
    expect(await head(playbackId, "1080p.mp4")).toBe(200);

    expect(received.map((e) => `${e.type}${e.data.name ? ` ${e.data.name}` : ""}`)).toEqual([
      "video.asset.created",
      "video.asset.static_rendition.created 1080p.mp4",
      "video.asset.static_rendition.created audio.m4a",
      "video.asset.ready",
      "video.asset.static_rendition.created 720p.mp4",
      "video.asset.live_stream_completed",
      "video.asset.static_rendition.ready audio.m4a",
      "video.asset.static_rendition.ready 720p.mp4",
      "video.asset.static_rendition.ready 1080p.mp4",
    ]);
    const ready = received.find((e) => e.type === "video.asset.ready");
    expect(ready?.data).toMatchObject({ is_live: true, live_stream_id: live.live_stream_id });
    const done = received.find((e) => e.type === "video.asset.live_stream_completed");
    expect(done?.data).toMatchObject({ id: created.id, is_live: false });
    expect(added.status).toBe("preparing");
  });

  it("makes legacy MP4s after completion with one aggregate event, and none without MP4 support", async () => {
    const { fake, received } = setup();
    const legacy = fake.createAsset({
      live: true,
      status: "ready",
      mp4Support: "capped-1080p",
      liveStreamId: "ls-1",
    });
    const plain = fake.createAsset({ live: true, status: "ready", liveStreamId: "ls-2" });
    expect(legacy).toMatchObject({
      is_live: true,
      live_stream_id: "ls-1",
      static_renditions: { status: "preparing" },
    });
    await fake.advance(10_000);
    expect(fake.getAsset(legacy.id)?.static_renditions?.status).toBe("preparing");

    fake.completeLiveStream(legacy.id);
    fake.completeLiveStream(plain.id);
    await fake.advance(3000);
    expect(fake.getAsset(legacy.id)?.static_renditions?.status).toBe("ready");
    expect(fake.getAsset(plain.id)).not.toHaveProperty("static_renditions");
    expect(received.map((e) => `${e.type} ${e.object.id === legacy.id ? "legacy" : "plain"}`)).toEqual([
      "video.asset.live_stream_completed legacy",
      "video.asset.live_stream_completed plain",
      "video.asset.static_renditions.ready legacy",
    ]);
  });

  it("completes only a live, ready stream, once; from the handle and the control API", async () => {
    const { fake } = setup();
    const vod = fake.createAsset({ status: "ready" });
    const starting = fake.createAsset({ live: true });
    const live = fake.createAsset({ live: true, status: "ready" });
    expect(() => fake.completeLiveStream(vod.id)).toThrow(/not a live stream/);
    expect(() => fake.completeLiveStream(starting.id)).toThrow(/not ready/);
    expect(fake.completeLiveStream("noSuchAsset")).toBeUndefined();

    const complete = (id: string) =>
      fake.fetch(new Request(`http://fake/_fake/assets/${id}/complete-live-stream`, { method: "POST" }));
    const response = await complete(live.id);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { is_live: boolean } }).data.is_live).toBe(false);
    expect((await complete(live.id)).status).toBe(400);
    expect((await complete("noSuchAsset")).status).toBe(404);
    expect(vod).not.toHaveProperty("is_live");
    expect(fake.eventLog().map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.live_stream_completed",
    ]);
  });
});
