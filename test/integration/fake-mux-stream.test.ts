/**
 * The fake's stream.mux.com: MP4s of the advertised size with ranges, 404 until ready, and
 * signed playback checked like Mux does (RS256 JWT from the official SDK's signPlaybackId).
 */
import Mux from "@mux/mux-node";
import { beforeEach, describe, expect, it } from "vitest";
import { createFakeMux, type FakeMux, renditionBytes } from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { network } from "../helpers/no-network";

const STREAM = "https://stream.mux.com";

let fake: FakeMux;
let clock: ManualClock;
let sdk: Mux;

beforeEach(() => {
  clock = new ManualClock(Date.now());
  fake = createFakeMux({ clock, rateLimit: null });
  network.use(...fakeMuxHandlers(fake));
  sdk = new Mux({
    tokenId: "x",
    tokenSecret: "y",
    webhookSecret: null,
    jwtSigningKey: null,
    jwtPrivateKey: null,
    authorizationToken: null,
  });
});

function readyAsset(policy: "public" | "signed" | "drm" = "public") {
  const asset = fake.createAsset({
    status: "ready",
    mp4Support: "capped-1080p",
    playbackPolicies: [policy],
    duration: 4,
  });
  const playbackId = asset.playback_ids?.[0]?.id ?? "";
  const file = asset.static_renditions?.files?.[0];
  return { asset, playbackId, name: file?.name ?? "", size: Number(file?.filesize) };
}

const sign = (
  playbackId: string,
  config: { expiration?: string; type?: "video" | "thumbnail"; keyId?: string } = {},
) =>
  sdk.jwt.signPlaybackId(playbackId, {
    keyId: config.keyId ?? fake.signingKey.id,
    keySecret: fake.signingKey.privateKeyBase64,
    type: config.type ?? "video",
    expiration: config.expiration ?? "1h",
  });

describe("stream.mux.com subset", () => {
  it("answers HEAD with the advertised size and MP4 headers, without counting a download", async () => {
    const { playbackId, name, size } = readyAsset();
    expect(size).toBe(Math.round(((1920 * 1080 * 2.4 + 128_000) * 4) / 8));
    const response = await fetch(`${STREAM}/${playbackId}/${name}`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(size));
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(fake.stats().downloads).toEqual({ requests: 0, bytes: 0 });
  });

  it("serves deterministic bytes of exactly the advertised size", async () => {
    const { playbackId, name, size } = readyAsset();
    const response = await fetch(`${STREAM}/${playbackId}/${name}`);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.length).toBe(size);
    expect(Buffer.from(body.subarray(4, 8)).toString("latin1")).toBe("ftyp");
    expect(Buffer.from(body).equals(Buffer.from(renditionBytes(playbackId, name, 0, size)))).toBe(true);
    expect(fake.stats().downloads).toEqual({ requests: 1, bytes: size });
  });

  it("supports Range requests (206 + Content-Range) and rejects unsatisfiable ones (416)", async () => {
    const { playbackId, name, size } = readyAsset();
    const url = `${STREAM}/${playbackId}/${name}`;
    const middle = await fetch(url, { headers: { range: "bytes=70000-70099" } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get("content-range")).toBe(`bytes 70000-70099/${size}`);
    expect(middle.headers.get("content-length")).toBe("100");
    expect(
      Buffer.from(await middle.arrayBuffer()).equals(
        Buffer.from(renditionBytes(playbackId, name, 70000, 70100)),
      ),
    ).toBe(true);

    const resumed = await fetch(url, { headers: { range: `bytes=${size - 10}-` } });
    expect(resumed.status).toBe(206);
    expect((await resumed.arrayBuffer()).byteLength).toBe(10);

    const suffix = await fetch(url, { headers: { range: "bytes=-5" } });
    expect(suffix.headers.get("content-range")).toBe(`bytes ${size - 5}-${size - 1}/${size}`);

    const beyond = await fetch(url, { headers: { range: `bytes=${size}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${size}`);
  });

  it("serves audio.m4a as audio/mp4", async () => {
    const asset = fake.createAsset({ status: "ready", mp4Support: "audio-only" });
    const response = await fetch(`${STREAM}/${asset.playback_ids?.[0]?.id}/audio.m4a`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/mp4");
  });

  it("answers 404 until the rendition is ready, and for names that do not exist", async () => {
    const asset = fake.createAsset({ staticRenditions: ["highest", "2160p"], width: 1280, height: 720 });
    const url = (name: string) => `${STREAM}/${asset.playback_ids?.[0]?.id}/${name}`;
    expect((await fetch(url("highest.mp4"), { method: "HEAD" })).status).toBe(404);
    await fake.advance(2000); // asset ready, MP4s still preparing
    expect((await fetch(url("highest.mp4"), { method: "HEAD" })).status).toBe(404);
    await fake.advance(3000);
    expect((await fetch(url("highest.mp4"), { method: "HEAD" })).status).toBe(200);
    expect((await fetch(url("2160p.mp4"), { method: "HEAD" })).status).toBe(404); // skipped
    expect((await fetch(url("low.mp4"), { method: "HEAD" })).status).toBe(404);
    expect((await fetch(`${STREAM}/unknownPlaybackId/highest.mp4`)).status).toBe(404);
  });

  it("stops serving a deleted asset's MP4s", async () => {
    const { asset, playbackId, name } = readyAsset();
    fake.deleteAsset(asset.id);
    expect((await fetch(`${STREAM}/${playbackId}/${name}`, { method: "HEAD" })).status).toBe(404);
  });

  it("serves a signed playback id only with a valid token from the SDK", async () => {
    const { playbackId, name, size } = readyAsset("signed");
    const url = `${STREAM}/${playbackId}/${name}`;
    const token = await sign(playbackId);

    const ok = await fetch(`${url}?token=${token}`);
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBe(size);

    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(`${url}?token=not.a.jwt`)).status).toBe(403);
    expect((await fetch(`${url}?token=${await sign(playbackId, { type: "thumbnail" })}`)).status).toBe(403);
    expect((await fetch(`${url}?token=${await sign(playbackId, { keyId: "someOtherKey" })}`)).status).toBe(
      403,
    );
    const other = readyAsset("signed");
    expect((await fetch(`${url}?token=${await sign(other.playbackId)}`)).status).toBe(403);

    clock.advance(2 * 3600 * 1000); // past the token's 1 h expiry
    expect((await fetch(`${url}?token=${token}`)).status).toBe(403);
  });

  it("rejects a token signed by a different key", async () => {
    const { playbackId, name } = readyAsset("signed");
    const stranger = createFakeMux();
    const forged = await sdk.jwt.signPlaybackId(playbackId, {
      keyId: fake.signingKey.id,
      keySecret: stranger.signingKey.privateKeyBase64,
      type: "video",
    });
    expect((await fetch(`${STREAM}/${playbackId}/${name}?token=${forged}`)).status).toBe(403);
  });

  it("fails a token on a public playback id, as Mux does, and never serves DRM ids", async () => {
    const pub = readyAsset("public");
    const token = await sign(pub.playbackId);
    expect((await fetch(`${STREAM}/${pub.playbackId}/${pub.name}?token=${token}`)).status).toBe(403);
    const drm = readyAsset("drm");
    expect((await fetch(`${STREAM}/${drm.playbackId}/${drm.name}`)).status).toBe(403);
  });

  it("exposes the signing key as base64 of a PKCS#1 PEM, like Mux's API", () => {
    const pem = Buffer.from(fake.signingKey.privateKeyBase64, "base64").toString("utf8");
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(fake.signingKey.id).toMatch(/^[0-9A-Za-z]{20,}$/);
  });

  it("streams a 1 GB rendition without buffering it", async () => {
    const asset = fake.createAsset({
      status: "ready",
      staticRenditions: ["highest"],
      width: 3840,
      height: 2160,
      maxResolutionTier: "2160p",
      duration: 420,
    });
    const file = asset.static_renditions?.files?.[0];
    const size = Number(file?.filesize);
    expect(size).toBeGreaterThan(1_000_000_000);
    const response = await fake.fetch(
      new Request(`http://fake/stream/${asset.playback_ids?.[0]?.id}/highest.mp4`),
    );
    expect(response.headers.get("content-length")).toBe(String(size));
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.length).toBeGreaterThan(0);
    await reader?.cancel();
    expect(fake.stats().downloads.bytes).toBeLessThan(2_000_000);
  });
});
