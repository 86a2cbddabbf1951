/**
 * The official SDK (`@mux/mux-node` 15.3.0) against the fake through msw, at Mux's real base
 * URL: listing, cursor auto-pagination, retrieval, whoami, and the documented errors.
 */
import Mux from "@mux/mux-node";
import { describe, expect, it } from "vitest";
import {
  createFakeMux,
  DEFAULT_TOKEN_ID,
  DEFAULT_TOKEN_SECRET,
  type FakeMuxOptions,
} from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { sdkClient } from "../helpers/fake-mux-sdk";
import { network } from "../helpers/no-network";

function sdk(tokenId = DEFAULT_TOKEN_ID, tokenSecret = DEFAULT_TOKEN_SECRET): Mux {
  return sdkClient(tokenId, tokenSecret);
}

function setup(options: FakeMuxOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const fake = createFakeMux({ clock, rateLimit: null, ...options });
  network.use(...fakeMuxHandlers(fake));
  return { fake, clock, mux: sdk() };
}

describe("fake Mux through @mux/mux-node", () => {
  it("auto-paginates 250 assets newest first in exactly 3 list requests of 100", async () => {
    const { fake, clock, mux } = setup();
    const created: string[] = [];
    for (let i = 0; i < 250; i++) {
      created.push(fake.createAsset({ status: "ready", mp4Support: "capped-1080p" }).id);
      clock.advance(1000);
    }
    const seen: string[] = [];
    for await (const asset of mux.video.assets.list({ limit: 100 })) seen.push(asset.id);

    expect(seen).toEqual([...created].reverse());
    expect(fake.stats().listCalls).toBe(3);
    expect(fake.stats().calls["GET /video/v1/assets"]).toEqual({ "200": 3 });
  });

  it("returns {data, next_cursor} pages with next_cursor null at the end", async () => {
    const { fake, mux } = setup();
    for (let i = 0; i < 3; i++) fake.createAsset({ status: "ready" });
    const first = await mux.video.assets.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await first.getNextPage();
    expect(second.data).toHaveLength(1);
    expect(second.hasNextPage()).toBe(false);
    const raw = await (
      await fake.fetch(authorized(`/video/v1/assets?limit=2&cursor=${first.next_cursor}`))
    ).json();
    expect(raw).toEqual({ data: [expect.objectContaining({ id: second.data[0]?.id })], next_cursor: null });
  });

  it("rejects limit above 100 with 400 invalid_parameters", async () => {
    const { mux } = setup();
    const error = await mux.video.assets.list({ limit: 101 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Mux.BadRequestError);
    expect((error as InstanceType<typeof Mux.BadRequestError>).error).toMatchObject({
      error: { type: "invalid_parameters" },
    });
  });

  it("retrieves an asset shaped like Mux's (numeric-string created_at, string filesize)", async () => {
    const { fake, mux } = setup();
    const created = fake.createAsset({
      status: "ready",
      mp4Support: "standard",
      width: 1280,
      height: 720,
      duration: 12.5,
      passthrough: "pt-1",
      meta: { title: "Hello", creator_id: "c1", external_id: "e1" },
    });
    const asset = await mux.video.assets.retrieve(created.id);
    expect(asset).toMatchObject({
      id: created.id,
      status: "ready",
      progress: { state: "completed", progress: 100 },
      master_access: "none",
      max_resolution_tier: "1080p",
      encoding_tier: "smart",
      video_quality: "plus",
      mp4_support: "standard",
      passthrough: "pt-1",
      meta: { title: "Hello", creator_id: "c1", external_id: "e1" },
      duration: 12.5,
      aspect_ratio: "16:9",
      resolution_tier: "720p",
      playback_ids: [{ id: expect.stringMatching(/^[0-9A-Za-z]{40,}$/), policy: "public" }],
    });
    expect(asset.id).toMatch(/^[0-9A-Za-z]{40,}$/);
    expect(asset.created_at).toBe(String(Math.floor(fake.clock.now() / 1000)));
    expect(asset.tracks?.map((t) => t.type)).toEqual(["video", "audio"]);
    expect(asset.static_renditions?.status).toBe("ready");
    for (const file of asset.static_renditions?.files ?? []) {
      expect(typeof file.filesize).toBe("string");
      expect(file).not.toHaveProperty("status");
      expect(file).not.toHaveProperty("id");
    }
  });

  it("answers whoami with the environment and the token's permissions", async () => {
    const { mux, fake } = setup({ environment: { id: "env123", name: "Staging" } });
    const me = await mux.system.utilities.whoami();
    expect(me).toMatchObject({
      environment_id: "env123",
      environment_name: "Staging",
      environment_type: "development",
    });
    expect(me.permissions).toContain("video:read");
    expect(me).toHaveProperty("organization_id");
    expect(me).toHaveProperty("access_token_name");
    expect(fake.stats().whoamiCalls).toBe(1);
  });

  it("gives AuthenticationError (401, Mux's body) for wrong or missing credentials", async () => {
    const { fake } = setup();
    const error = await sdk(DEFAULT_TOKEN_ID, "wrong")
      .video.assets.list({ limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Mux.AuthenticationError);
    expect((error as InstanceType<typeof Mux.AuthenticationError>).error).toEqual({
      error: { type: "unauthorized", messages: ["Unauthorized request"] },
    });
    const anonymous = await fake.fetch(new Request("https://api.mux.com/video/v1/assets"));
    expect(anonymous.status).toBe(401);
    expect(fake.stats().calls["GET /video/v1/assets"]).toEqual({ "401": 2 });
  });

  it("gives NotFoundError (404, Mux's body) for an unknown or deleted asset", async () => {
    const { fake, mux } = setup();
    const error = await mux.video.assets.retrieve("doesNotExist123").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Mux.NotFoundError);
    expect((error as InstanceType<typeof Mux.NotFoundError>).error).toEqual({
      error: {
        type: "not_found",
        messages: ["The requested resource either doesn't exist or you don't have access to it."],
      },
    });
    const asset = fake.createAsset({ status: "ready" });
    fake.deleteAsset(asset.id);
    await expect(mux.video.assets.retrieve(asset.id)).rejects.toBeInstanceOf(Mux.NotFoundError);
    expect(fake.stats().calls["GET /video/v1/assets/:id"]).toEqual({ "404": 2 });
  });

  it("gives RateLimitError (429 with Retry-After) past the burst, and recovers as time passes", async () => {
    const { fake, clock, mux } = setup({ rateLimit: { perSecond: 2, burst: 3 } });
    for (let i = 0; i < 3; i++) await mux.video.assets.list({ limit: 10 });
    const error = await mux.video.assets.list({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Mux.RateLimitError);
    const rateLimited = error as InstanceType<typeof Mux.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(Number(rateLimited.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(fake.stats().rateLimited).toBe(1);

    clock.advance(1000);
    await expect(mux.video.assets.list({ limit: 10 })).resolves.toBeDefined();
    expect(fake.stats().calls["GET /video/v1/assets"]).toEqual({ "200": 4, "429": 1 });
  });

  it("gives PermissionDeniedError (403) to a token without Video Read, while whoami still works", async () => {
    const { fake } = setup();
    fake.addAccessToken({ id: "no-video-token", secret: "s3cret", permissions: [] });
    const limited = sdk("no-video-token", "s3cret");
    const error = await limited.video.assets.list({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Mux.PermissionDeniedError);
    expect((error as InstanceType<typeof Mux.PermissionDeniedError>).error).toMatchObject({
      error: { type: "forbidden" },
    });
    await expect(limited.video.assets.retrieve("x")).rejects.toBeInstanceOf(Mux.PermissionDeniedError);
    expect((await limited.system.utilities.whoami()).permissions).toEqual([]);
  });

  it("makes the main token forbidden with permissions: []", async () => {
    const { mux } = setup({ permissions: [] });
    await expect(mux.video.assets.list({ limit: 1 })).rejects.toBeInstanceOf(Mux.PermissionDeniedError);
  });

  it("injects 5xx at the configured rate (InternalServerError), deterministically for a seed", async () => {
    const { fake, mux } = setup({ faults: { errorRate: 0.5 }, seed: 42 });
    let failures = 0;
    for (let i = 0; i < 40; i++) {
      await mux.video.assets.list({ limit: 1 }).catch((e: unknown) => {
        expect(e).toBeInstanceOf(Mux.InternalServerError);
        failures++;
      });
    }
    expect(failures).toBe(fake.stats().injectedErrors);
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it("creates, updates and deletes assets through the SDK's write calls", async () => {
    const { fake, mux } = setup();
    const created = await mux.video.assets.create({
      inputs: [{ url: "https://example.com/video.mp4" }],
      playback_policies: ["signed"],
      static_renditions: [{ resolution: "highest" }],
      passthrough: "from-sdk",
    });
    expect(created).toMatchObject({ status: "preparing", passthrough: "from-sdk" });
    expect(created.playback_ids?.[0]?.policy).toBe("signed");
    expect(created.static_renditions?.files?.[0]).toMatchObject({ name: "highest.mp4", status: "preparing" });

    const updated = await mux.video.assets.update(created.id, { meta: { title: "Renamed" } });
    expect(updated.meta?.title).toBe("Renamed");
    await mux.video.assets.delete(created.id);
    expect(fake.getAsset(created.id)).toBeUndefined();
    expect(fake.eventLog().map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.static_rendition.created",
      "video.asset.updated",
      "video.asset.deleted",
    ]);
  });
});

function authorized(path: string): Request {
  const basic = Buffer.from(`${DEFAULT_TOKEN_ID}:${DEFAULT_TOKEN_SECRET}`).toString("base64");
  return new Request(`https://api.mux.com${path}`, { headers: { authorization: `Basic ${basic}` } });
}
