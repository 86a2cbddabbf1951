/**
 * Static renditions as Mux makes and changes them: several files of one asset ready one by one
 * (each with its own event, at staggered times), and files added and deleted after ready, through
 * the official SDK, with the stream host's answers and the webhooks that follow.
 */
import Mux from "@mux/mux-node";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createFakeMux, type FakeMuxOptions, type WebhookEnvelope } from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { sdkClient } from "../helpers/fake-mux-sdk";
import { network } from "../helpers/no-network";

const HOOK_URL = "https://hooks.test/renditions";
const STREAM = "https://stream.mux.com";
const NO_KEY = { signingKey: { id: "unused", privateKeyBase64: "unused" } };

function setup(options: FakeMuxOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 9));
  const fake = createFakeMux({
    clock,
    rateLimit: null,
    webhookUrl: HOOK_URL,
    lifecycle: { readyAfterMs: 2000, renditionsAfterMs: 3000 },
    ...NO_KEY,
    ...options,
  });
  const received: WebhookEnvelope[] = [];
  network.use(
    ...fakeMuxHandlers(fake),
    http.post(HOOK_URL, async ({ request }) => {
      received.push((await request.json()) as WebhookEnvelope);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  const mux = sdk(fake.credentials.tokenId, fake.credentials.tokenSecret);
  return { fake, clock, mux, received };
}

function sdk(tokenId: string, tokenSecret: string): Mux {
  return sdkClient(tokenId, tokenSecret);
}

/** `type name @ms-since-start` for the per-file events, in delivery order. */
function renditionTimeline(received: WebhookEnvelope[], start: number): string[] {
  return received
    .filter((e) => e.type.startsWith("video.asset.static_rendition"))
    .map(
      (e) =>
        `${e.type.replace("video.asset.static_rendition.", "")} ${e.data.name} @${Date.parse(e.created_at) - start}`,
    );
}

const statusOf = (files: Array<{ name?: string; status?: string }> | undefined) =>
  Object.fromEntries((files ?? []).map((f) => [f.name, f.status]));

describe("staggered Static Renditions files", () => {
  it("readies highest and audio one by one, smallest first, each with its own event", async () => {
    const { fake, clock, mux, received } = setup();
    const start = clock.now();
    const { id } = fake.createAsset({ staticRenditions: ["highest", "audio-only"] });

    await fake.advance(2000); // ready: HLS only
    expect(statusOf((await mux.video.assets.retrieve(id)).static_renditions?.files)).toEqual({
      "highest.mp4": "preparing",
      "audio.m4a": "preparing",
    });
    await fake.advance(3000); // the first file, 3 s after ready: the lighter one
    expect(statusOf((await mux.video.assets.retrieve(id)).static_renditions?.files)).toEqual({
      "highest.mp4": "preparing",
      "audio.m4a": "ready",
    });
    await fake.advance(999);
    expect(statusOf((await mux.video.assets.retrieve(id)).static_renditions?.files)["highest.mp4"]).toBe(
      "preparing",
    );
    await fake.advance(1); // the default stagger: 1 s later
    expect(statusOf((await mux.video.assets.retrieve(id)).static_renditions?.files)["highest.mp4"]).toBe(
      "ready",
    );

    expect(received.map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.static_rendition.created",
      "video.asset.static_rendition.created",
      "video.asset.ready",
      "video.asset.static_rendition.ready",
      "video.asset.static_rendition.ready",
    ]);
    expect(renditionTimeline(received, start)).toEqual([
      "created highest.mp4 @0",
      "created audio.m4a @0",
      "ready audio.m4a @5000",
      "ready highest.mp4 @6000",
    ]);
    // The first event shows the second file still preparing: it is not a summary of the asset.
    const firstReady = received.find((e) => e.type === "video.asset.static_rendition.ready");
    expect(firstReady?.data).toMatchObject({ asset_id: id, name: "audio.m4a", status: "ready" });
    expect(received.some((e) => e.type === "video.asset.static_renditions.ready")).toBe(false);
  });

  it("spaces several advanced resolutions by the asset's own stagger, in the listed order if asked", async () => {
    const { fake, clock, received } = setup({
      lifecycle: { renditionsAfterMs: 1000, renditionStaggerMs: 5000 },
    });
    const start = clock.now();
    fake.createAsset({
      width: 1920,
      height: 1080,
      staticRenditions: ["1080p", "720p", "360p", "2160p"],
      renditionStaggerMs: 250,
      renditionOrder: "listed",
    });
    fake.createAsset({ staticRenditions: ["1080p", "360p"], readyAfterMs: 10_000 }); // the global stagger
    await fake.settle();
    expect(renditionTimeline(received, start).filter((l) => !l.startsWith("created"))).toEqual([
      "skipped 2160p.mp4 @2000", // an upscale is known at ready
      "ready 1080p.mp4 @3000",
      "ready 720p.mp4 @3250",
      "ready 360p.mp4 @3500",
      "ready 360p.mp4 @11000", // smallest first, 5 s apart
      "ready 1080p.mp4 @16000",
    ]);
  });

  it("keeps one aggregate video.asset.static_renditions.ready for legacy mp4_support", async () => {
    const { fake, received } = setup();
    const { id } = fake.createAsset({ mp4Support: "audio-only,capped-1080p" });
    await fake.advance(5000);
    expect(fake.getAsset(id)?.static_renditions).toMatchObject({ status: "ready" });
    expect(fake.getAsset(id)?.static_renditions?.files?.map((f) => f.name)).toEqual([
      "audio.m4a",
      "capped-1080p.mp4",
    ]);
    expect(received.map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.ready",
      "video.asset.static_renditions.ready",
    ]);
  });

  it("staggers the files of an asset created ready but still waiting for its MP4s", async () => {
    const { fake, clock, received } = setup();
    const start = clock.now();
    fake.createAsset({ status: "ready", renditionsReady: false, staticRenditions: ["highest", "270p"] });
    await fake.advance(3000);
    await fake.advance(1000);
    expect(renditionTimeline(received, start)).toEqual(["ready 270p.mp4 @3000", "ready highest.mp4 @4000"]);
  });
});

describe("deleting a static rendition", () => {
  it("answers 204, drops the file, stops serving it and fires static_rendition.deleted", async () => {
    const { fake, mux, received } = setup();
    const created = fake.createAsset({ status: "ready", staticRenditions: ["highest", "audio-only"] });
    const playbackId = created.playback_ids?.[0]?.id ?? "";
    const highest = created.static_renditions?.files?.find((f) => f.name === "highest.mp4");
    expect((await fetch(`${STREAM}/${playbackId}/highest.mp4`, { method: "HEAD" })).status).toBe(200);

    await mux.video.assets.deleteStaticRendition(created.id, highest?.id ?? "");
    expect(fake.stats().calls["DELETE /video/v1/assets/:id/static-renditions/:rendition_id"]).toEqual({
      "204": 1,
    });
    const after = await mux.video.assets.retrieve(created.id);
    expect(after.static_renditions?.files?.map((f) => f.name)).toEqual(["audio.m4a"]);
    expect((await fetch(`${STREAM}/${playbackId}/highest.mp4`, { method: "HEAD" })).status).toBe(404);
    expect((await fetch(`${STREAM}/${playbackId}/audio.m4a`, { method: "HEAD" })).status).toBe(200);

    await fake.webhooks.flush();
    expect(received.map((e) => e.type)).toEqual(["video.asset.static_rendition.deleted"]);
    expect(received[0]?.object).toEqual({ type: "static_rendition", id: highest?.id });
    expect(received[0]?.data).toMatchObject({ id: highest?.id, name: "highest.mp4", asset_id: created.id });

    // Again, or an unknown id, or a file name (REST takes ids only): 404.
    await expect(
      mux.video.assets.deleteStaticRendition(created.id, highest?.id ?? ""),
    ).rejects.toBeInstanceOf(Mux.NotFoundError);
    await expect(mux.video.assets.deleteStaticRendition(created.id, "audio.m4a")).rejects.toBeInstanceOf(
      Mux.NotFoundError,
    );
    await expect(mux.video.assets.deleteStaticRendition("noSuchAsset", "x")).rejects.toBeInstanceOf(
      Mux.NotFoundError,
    );
  });

  it("deletes by id or name on the handle and the control API; legacy files have no ids to delete", async () => {
    const { fake } = setup();
    const { id } = fake.createAsset({ status: "ready", staticRenditions: ["highest", "720p", "audio-only"] });
    expect(fake.deleteStaticRendition(id, "720p.mp4")).toBe(true);
    expect(fake.deleteStaticRendition(id, "720p.mp4")).toBe(false);
    const response = await fake.fetch(
      new Request(`http://fake/_fake/assets/${id}/static-renditions/audio.m4a`, { method: "DELETE" }),
    );
    expect(response.status).toBe(204);
    expect(fake.getAsset(id)?.static_renditions?.files?.map((f) => f.name)).toEqual(["highest.mp4"]);
    expect(fake.eventLog().map((e) => `${e.type} ${e.data.name}`)).toEqual([
      "video.asset.static_rendition.deleted 720p.mp4",
      "video.asset.static_rendition.deleted audio.m4a",
    ]);

    const legacy = fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    expect(fake.deleteStaticRendition(legacy.id, "capped-1080p.mp4")).toBe(false);
  });
});

describe("adding a static rendition", () => {
  it("answers 201 preparing, then readies it with created and ready events", async () => {
    const { fake, clock, mux, received } = setup();
    const start = clock.now();
    const { id, playback_ids } = fake.createAsset({ status: "ready", staticRenditions: ["1080p"] });
    const playbackId = playback_ids?.[0]?.id ?? "";

    const added = await mux.video.assets.createStaticRendition(id, { resolution: "720p" });
    expect(added).toMatchObject({
      name: "720p.mp4",
      status: "preparing",
      resolution: "720p",
      type: "advanced",
      ext: "mp4",
    });
    expect(added.id).toEqual(expect.any(String));
    expect(statusOf((await mux.video.assets.retrieve(id)).static_renditions?.files)["720p.mp4"]).toBe(
      "preparing",
    );
    expect((await fetch(`${STREAM}/${playbackId}/720p.mp4`, { method: "HEAD" })).status).toBe(404);

    await fake.advance(3000);
    const file = (await mux.video.assets.retrieve(id)).static_renditions?.files?.find(
      (f) => f.id === added.id,
    );
    expect(file).toMatchObject({ status: "ready", width: 1280, height: 720 });
    const head = await fetch(`${STREAM}/${playbackId}/720p.mp4`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(file?.filesize);
    expect(renditionTimeline(received, start)).toEqual(["created 720p.mp4 @0", "ready 720p.mp4 @3000"]);
  });

  it("skips an upscale: preparing in the answer, then static_rendition.skipped", async () => {
    const { fake, mux, received } = setup();
    const { id } = fake.createAsset({
      status: "ready",
      width: 1280,
      height: 720,
      staticRenditions: ["720p"],
    });
    const added = await mux.video.assets.createStaticRendition(id, { resolution: "1080p" });
    expect(added.status).toBe("preparing");
    expect(statusOf((await mux.video.assets.retrieve(id)).static_renditions?.files)["1080p.mp4"]).toBe(
      "skipped",
    );
    await fake.webhooks.flush();
    expect(received.map((e) => `${e.type} ${e.data.name}`)).toEqual([
      "video.asset.static_rendition.created 1080p.mp4",
      "video.asset.static_rendition.skipped 1080p.mp4",
    ]);
  });

  it("refuses a resolution already defined, and any static rendition beside legacy mp4_support", async () => {
    const { fake, mux } = setup();
    const { id } = fake.createAsset({ status: "ready", staticRenditions: ["highest"] });
    const again = await mux.video.assets
      .createStaticRendition(id, { resolution: "highest" })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Mux.BadRequestError);
    expect((again as InstanceType<typeof Mux.BadRequestError>).error).toMatchObject({
      error: { type: "invalid_parameters" },
    });
    const legacy = fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    await expect(
      mux.video.assets.createStaticRendition(legacy.id, { resolution: "720p" }),
    ).rejects.toBeInstanceOf(Mux.BadRequestError);
    expect(() => fake.addStaticRendition(id, "highest")).toThrow(/already exists/);
    expect(fake.addStaticRendition("noSuchAsset", "720p")).toBeUndefined();
    expect(fake.getAsset(id)?.static_renditions?.files).toHaveLength(1);
    // Advanced resolutions do not mix with highest, either way; audio-only goes with both.
    await expect(mux.video.assets.createStaticRendition(id, { resolution: "720p" })).rejects.toBeInstanceOf(
      Mux.BadRequestError,
    );
    const advanced = fake.createAsset({ status: "ready", staticRenditions: ["720p"] });
    expect(() => fake.addStaticRendition(advanced.id, "highest")).toThrow(
      /cannot be combined with the existing 720p/,
    );
    expect(fake.addStaticRendition(advanced.id, "audio-only")).toMatchObject({ name: "audio.m4a" });
    expect(fake.addStaticRendition(id, "audio-only")).toMatchObject({ name: "audio.m4a" });
  });

  it("adds through the handle and the control API, on the usual timing", async () => {
    const { fake } = setup();
    const { id } = fake.createAsset({ status: "ready" });
    expect(fake.addStaticRendition(id, "audio-only")).toMatchObject({
      name: "audio.m4a",
      status: "preparing",
    });
    const response = await fake.fetch(
      new Request(`http://fake/_fake/assets/${id}/static-renditions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resolution: "360p" }),
      }),
    );
    expect(response.status).toBe(201);
    await fake.advance(3000);
    expect(statusOf(fake.getAsset(id)?.static_renditions?.files)).toEqual({
      "audio.m4a": "ready",
      "360p.mp4": "ready",
    });
  });
});

describe("write permission", () => {
  it("answers 403 to a read-only token for adding, deleting and mp4-support, changing nothing", async () => {
    const { fake } = setup();
    fake.addAccessToken({ id: "read-only", secret: "ro-secret", permissions: ["video:read"] });
    const readOnly = sdk("read-only", "ro-secret");
    const api = fake.createAsset({ status: "ready", staticRenditions: ["highest"] });
    const legacy = fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    const fileId = api.static_renditions?.files?.[0]?.id ?? "";

    for (const call of [
      () => readOnly.video.assets.createStaticRendition(api.id, { resolution: "720p" }),
      () => readOnly.video.assets.deleteStaticRendition(api.id, fileId),
      () => readOnly.video.assets.updateMP4Support(legacy.id, { mp4_support: "none" }),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(Mux.PermissionDeniedError);
    }
    expect(await readOnly.video.assets.retrieve(api.id)).toMatchObject({ id: api.id });
    expect(fake.getAsset(api.id)?.static_renditions?.files).toHaveLength(1);
    expect(fake.getAsset(legacy.id)?.mp4_support).toBe("capped-1080p");
    expect(fake.eventLog()).toEqual([]);
  });
});

describe("what a service asking for MP4s meets", () => {
  it("limits POSTs on their own bucket (1/s with a burst), leaving GETs alone, with Retry-After", async () => {
    const { fake, clock, mux } = setup({ writeRateLimit: { perSecond: 1, burst: 2 } });
    const ids = [1, 2, 3].map(() => fake.createAsset({ status: "ready" }).id);
    await mux.video.assets.createStaticRendition(ids[0] ?? "", { resolution: "highest" });
    await mux.video.assets.createStaticRendition(ids[1] ?? "", { resolution: "highest" });
    const limited = await mux.video.assets
      .createStaticRendition(ids[2] ?? "", { resolution: "highest" })
      .catch((err: unknown) => err);
    expect(limited).toBeInstanceOf(Mux.RateLimitError);
    expect((limited as InstanceType<typeof Mux.RateLimitError>).headers?.get("retry-after")).toBe("1");
    // GETs have their own bucket; the refused POST reached no asset.
    for (const id of ids) await mux.video.assets.retrieve(id);
    expect(fake.stats().renditions.creates).toEqual({ [`${ids[0]}/highest`]: 1, [`${ids[1]}/highest`]: 1 });
    clock.advance(1000);
    await mux.video.assets.createStaticRendition(ids[2] ?? "", { resolution: "highest" });
    expect(fake.stats().renditions.creates[`${ids[2]}/highest`]).toBe(1);
  });

  it("keeps the passthrough a rendition was asked with, and counts every create and delete per asset and resolution", async () => {
    const { fake, mux } = setup();
    const { id } = fake.createAsset({ status: "ready", width: 1280, height: 720 });
    const made = await mux.video.assets.createStaticRendition(id, {
      resolution: "highest",
      passthrough: "tag-1",
    });
    expect(made).toMatchObject({ status: "preparing", name: "highest.mp4", passthrough: "tag-1" });
    const again = await mux.video.assets
      .createStaticRendition(id, { resolution: "highest" })
      .catch((err: unknown) => err);
    expect(again).toBeInstanceOf(Mux.BadRequestError);
    expect((again as InstanceType<typeof Mux.BadRequestError>).error).toEqual({
      error: {
        type: "invalid_parameters",
        messages: ["A static rendition with resolution highest already exists"],
      },
    });
    const listed = (await mux.video.assets.retrieve(id)).static_renditions?.files?.[0];
    expect(listed).toMatchObject({ id: made.id, passthrough: "tag-1" });
    await mux.video.assets.deleteStaticRendition(id, made.id ?? "");
    expect(fake.stats().renditions).toEqual({
      creates: { [`${id}/highest`]: 2 },
      deletes: { [`${id}/highest`]: 1 },
    });
  });

  it("skips audio-only on an asset without audio and highest on one without video, each with its event", async () => {
    const { fake, mux, received } = setup();
    const silent = fake.createAsset({ status: "ready", hasAudio: false });
    const audio = fake.createAsset({ status: "ready", hasVideo: false });
    await mux.video.assets.createStaticRendition(silent.id, { resolution: "audio-only" });
    await mux.video.assets.createStaticRendition(audio.id, { resolution: "highest" });
    await fake.settle();
    expect(statusOf(fake.getAsset(silent.id)?.static_renditions?.files)).toEqual({ "audio.m4a": "skipped" });
    expect(statusOf(fake.getAsset(audio.id)?.static_renditions?.files)).toEqual({ "highest.mp4": "skipped" });
    expect(received.filter((e) => e.type === "video.asset.static_rendition.skipped")).toHaveLength(2);
  });

  it("reports each token's permissions in whoami, read-only or read and write, and follows a change", async () => {
    const { fake, mux } = setup();
    fake.addAccessToken({ id: "read-only", secret: "ro-secret", permissions: ["video:read"] });
    const readOnly = sdk("read-only", "ro-secret");
    expect((await readOnly.system.utilities.whoami()).permissions).toEqual(["video:read"]);
    expect((await mux.system.utilities.whoami()).permissions).toContain("video:write");
    const { id } = fake.createAsset({ status: "ready" });
    await expect(
      readOnly.video.assets.createStaticRendition(id, { resolution: "highest" }),
    ).rejects.toBeInstanceOf(Mux.PermissionDeniedError);
    expect(fake.stats().renditions.creates).toEqual({});
    expect(fake.setTokenPermissions("read-only", ["video:read", "video:write"])).toBe(true);
    expect((await readOnly.system.utilities.whoami()).permissions).toEqual(["video:read", "video:write"]);
    await readOnly.video.assets.createStaticRendition(id, { resolution: "highest" });
    expect(fake.stats().renditions.creates).toEqual({ [`${id}/highest`]: 1 });
  });
});
