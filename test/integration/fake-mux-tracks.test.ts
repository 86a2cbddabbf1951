/**
 * The fake's text tracks and image host: generated captions ready some time after the asset,
 * uploaded subtitles ready with it, their events, tracks added and deleted by hand; the stream
 * host's WebVTT and transcripts and the image host's files, each behind the token audience Mux
 * checks (RS256 JWTs from the official SDK's signPlaybackId).
 */
import Mux from "@mux/mux-node";
import { beforeEach, describe, expect, it } from "vitest";
import { createFakeMux, DEFAULT_CAPTIONS_AFTER_MS, type FakeMux } from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { network } from "../helpers/no-network";

const STREAM = "https://stream.mux.com";
const IMAGE = "https://image.mux.com";

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

type TokenType = "video" | "thumbnail" | "storyboard" | "gif";
const sign = (playbackId: string, type: TokenType) =>
  sdk.jwt.signPlaybackId(playbackId, {
    keyId: fake.signingKey.id,
    keySecret: fake.signingKey.privateKeyBase64,
    type,
    expiration: "1h",
  });

const textTracksOf = (assetId: string) =>
  (fake.getAsset(assetId)?.tracks ?? []).filter((t) => t.type === "text");
const typesOf = (assetId: string) =>
  fake
    .eventLog()
    .filter((e) => e.data.asset_id === assetId || e.data.id === assetId)
    .map((e) => e.type);

describe("text tracks in the fake's lifecycle", () => {
  it("makes uploaded subtitles ready with the asset, and generated captions captionsAfterMs later", async () => {
    const asset = fake.createAsset({
      mp4Support: "capped-1080p",
      textTracks: [
        { textSource: "uploaded", languageCode: "fr", name: "Français" },
        { textSource: "generated_vod" },
      ],
    });
    await fake.advance(2000);
    const [uploaded, generated] = textTracksOf(asset.id);
    expect(uploaded).toMatchObject({
      type: "text",
      text_type: "subtitles",
      text_source: "uploaded",
      language_code: "fr",
      name: "Français",
      status: "ready",
    });
    expect(generated).toMatchObject({
      text_source: "generated_vod",
      name: "English (generated)",
      status: "preparing",
    });
    await fake.advance(DEFAULT_CAPTIONS_AFTER_MS);
    expect(textTracksOf(asset.id)[1]?.status).toBe("ready");
    const trackEvents = fake.eventLog().filter((e) => e.type.startsWith("video.asset.track."));
    expect(trackEvents.map((e) => [e.type, e.data.id])).toEqual([
      ["video.asset.track.created", uploaded?.id],
      ["video.asset.track.ready", uploaded?.id],
      ["video.asset.track.created", generated?.id],
      ["video.asset.track.ready", generated?.id],
    ]);
    // mux-facts §2.4: the object is the track, the asset is data.asset_id.
    expect(trackEvents[3]).toMatchObject({
      object: { type: "track", id: generated?.id },
      data: { type: "text", text_source: "generated_vod", status: "ready", asset_id: asset.id },
    });
  });

  it("never makes captions whose readyAfterMs is null ready, and lists an already ready asset's tracks as ready", async () => {
    const never = fake.createAsset({ textTracks: [{ textSource: "generated_vod", readyAfterMs: null }] });
    const old = fake.createAsset({ status: "ready", textTracks: [{ textSource: "generated_vod" }] });
    await fake.settle();
    expect(textTracksOf(never.id)[0]?.status).toBe("preparing");
    expect(textTracksOf(old.id)[0]?.status).toBe("ready");
    expect(typesOf(old.id)).toEqual([]);
  });

  it("adds and deletes tracks by hand and through the control API, with their events", async () => {
    const asset = fake.createAsset({ status: "ready" });
    const added = fake.addTextTrack(asset.id, {
      textSource: "uploaded",
      languageCode: "de",
      name: "Deutsch",
    });
    expect(added).toMatchObject({ status: "ready", language_code: "de" });
    const viaControl = await fake.fetch(
      new Request(`http://fake.test/_fake/assets/${asset.id}/tracks`, {
        method: "POST",
        body: JSON.stringify({ textSource: "generated_vod", readyAfterMs: 1000 }),
      }),
    );
    expect(viaControl.status).toBe(201);
    const generated = ((await viaControl.json()) as { data: { id: string; status: string } }).data;
    expect(generated.status).toBe("preparing");
    await fake.advance(1000);
    expect(textTracksOf(asset.id).map((t) => t.status)).toEqual(["ready", "ready"]);

    const removed = await fake.fetch(
      new Request(`http://fake.test/_fake/assets/${asset.id}/tracks/${added?.id}`, { method: "DELETE" }),
    );
    expect(removed.status).toBe(204);
    expect(textTracksOf(asset.id).map((t) => t.id)).toEqual([generated.id]);
    const deleted = fake.eventLog().at(-1);
    expect(deleted).toMatchObject({
      type: "video.asset.track.deleted",
      object: { type: "track", id: added?.id },
      data: { status: "deleted", asset_id: asset.id },
    });
    const again = await fake.fetch(
      new Request(`http://fake.test/_fake/assets/${asset.id}/tracks/${added?.id}`, { method: "DELETE" }),
    );
    expect(again.status).toBe(404);
  });

  it("fires a track event on request, for the named track", async () => {
    const asset = fake.createAsset({ status: "ready", textTracks: [{}, { languageCode: "es" }] });
    const second = textTracksOf(asset.id)[1];
    const response = await fake.fetch(
      new Request(`http://fake.test/_fake/assets/${asset.id}/events`, {
        method: "POST",
        body: JSON.stringify({ type: "video.asset.track.ready", track: second?.id }),
      }),
    );
    expect(response.status).toBe(202);
    expect(fake.eventLog().at(-1)).toMatchObject({
      type: "video.asset.track.ready",
      data: { id: second?.id, language_code: "es" },
    });
  });
});

describe("the stream host's text tracks", () => {
  function captioned(policy: "public" | "signed" = "public") {
    const asset = fake.createAsset({
      status: "ready",
      playbackPolicies: [policy],
      duration: 25,
      meta: { title: "Cats" },
      textTracks: [{ textSource: "generated_vod" }, { textSource: "uploaded", languageCode: "fr" }],
    });
    const [generated, uploaded] = textTracksOf(asset.id);
    return {
      playbackId: asset.playback_ids?.[0]?.id ?? "",
      generated: generated?.id,
      uploaded: uploaded?.id,
    };
  }

  it("serves a ready track's WebVTT, and a transcript of generated tracks only", async () => {
    const { playbackId, generated, uploaded } = captioned();
    const vtt = await fetch(`${STREAM}/${playbackId}/text/${generated}.vtt`);
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get("content-type")).toBe("text/vtt");
    const body = await vtt.text();
    expect(body.startsWith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:10.000\n[en] Cats, line 1\n")).toBe(true);
    expect(body).toContain("00:00:20.000 --> 00:00:25.000");
    const txt = await fetch(`${STREAM}/${playbackId}/text/${generated}.txt`);
    expect(await txt.text()).toBe("[en] Cats, line 1\n[en] Cats, line 2\n[en] Cats, line 3\n");
    expect((await fetch(`${STREAM}/${playbackId}/text/${uploaded}.vtt`)).status).toBe(200);
    expect((await fetch(`${STREAM}/${playbackId}/text/${uploaded}.txt`)).status).toBe(404);
    expect((await fetch(`${STREAM}/${playbackId}/text/nope.vtt`)).status).toBe(404);
  });

  it("does not serve a track before it is ready, nor after it is deleted", async () => {
    const asset = fake.createAsset({ textTracks: [{ textSource: "generated_vod" }] });
    const playbackId = asset.playback_ids?.[0]?.id ?? "";
    await fake.advance(2000);
    const id = textTracksOf(asset.id)[0]?.id ?? "";
    expect((await fetch(`${STREAM}/${playbackId}/text/${id}.vtt`)).status).toBe(404);
    await fake.advance(DEFAULT_CAPTIONS_AFTER_MS);
    expect((await fetch(`${STREAM}/${playbackId}/text/${id}.vtt`)).status).toBe(200);
    fake.deleteTextTrack(asset.id, id);
    expect((await fetch(`${STREAM}/${playbackId}/text/${id}.vtt`)).status).toBe(404);
  });

  it("checks a signed playback id's token, audience v, and refuses one on a public id", async () => {
    const signed = captioned("signed");
    const url = `${STREAM}/${signed.playbackId}/text/${signed.generated}.vtt`;
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(`${url}?token=${await sign(signed.playbackId, "video")}`)).status).toBe(200);
    const wrong = await fetch(`${url}?token=${await sign(signed.playbackId, "thumbnail")}`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toBe("Invalid playback token: wrong audience");
    const open = captioned("public");
    const tokened = `${STREAM}/${open.playbackId}/text/${open.generated}.vtt?token=${await sign(open.playbackId, "video")}`;
    expect((await fetch(tokened)).status).toBe(403);
  });
});

describe("the image host", () => {
  const FILES: Array<[string, TokenType, string]> = [
    ["thumbnail.jpg", "thumbnail", "image/jpeg"],
    ["storyboard.vtt", "storyboard", "text/vtt"],
    ["animated.gif", "gif", "image/gif"],
  ];

  it.each(FILES)(
    "serves %s of a public playback id, and refuses a token on it",
    async (file, type, contentType) => {
      const asset = fake.createAsset({ status: "ready" });
      const playbackId = asset.playback_ids?.[0]?.id ?? "";
      const response = await fetch(`${IMAGE}/${playbackId}/${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(contentType);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (file === "thumbnail.jpg")
        expect([bytes[0], bytes[1], bytes.at(-2), bytes.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      if (file === "animated.gif")
        expect(Buffer.from(bytes.subarray(0, 6)).toString("latin1")).toBe("GIF89a");
      if (file === "storyboard.vtt")
        expect(Buffer.from(bytes).toString("utf8")).toContain(
          `${playbackId}/storyboard.jpg#xywh=0,0,256,144`,
        );
      const tokened = await fetch(`${IMAGE}/${playbackId}/${file}?token=${await sign(playbackId, type)}`);
      expect(tokened.status).toBe(403);
    },
  );

  it.each(FILES)("serves %s of a signed playback id with its own audience only", async (file, type) => {
    const asset = fake.createAsset({ status: "ready", playbackPolicies: ["signed"] });
    const playbackId = asset.playback_ids?.[0]?.id ?? "";
    const url = `${IMAGE}/${playbackId}/${file}`;
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(`${url}?token=${await sign(playbackId, type)}`)).status).toBe(200);
    for (const other of ["video", "thumbnail", "storyboard", "gif"] as const) {
      if (other === type) continue;
      const refused = await fetch(`${url}?token=${await sign(playbackId, other)}`);
      expect(refused.status, `${file} with a ${other} token`).toBe(403);
      expect(await refused.text()).toBe("Invalid playback token: wrong audience");
    }
  });

  it("has no image of an audio-only asset, of one still preparing, nor under another name", async () => {
    const audio = fake.createAsset({ status: "ready", hasVideo: false });
    const preparing = fake.createAsset({});
    for (const asset of [audio, preparing]) {
      expect((await fetch(`${IMAGE}/${asset.playback_ids?.[0]?.id}/thumbnail.jpg`)).status).toBe(404);
    }
    const video = fake.createAsset({ status: "ready" });
    expect((await fetch(`${IMAGE}/${video.playback_ids?.[0]?.id}/thumbnail.png`)).status).toBe(404);
    expect(fake.stats().calls["GET /image/:playback_id/:file"]).toEqual({ "404": 3 });
  });
});

describe("captioned assets in the seeded library", () => {
  it("deals the share asked for, and leaves the library's ids as they were without it", () => {
    const plain = createFakeMux({ clock, rateLimit: null }).generateLibrary(60, 7);
    const captioned = fake.generateLibrary(60, 7, { captioned: 0.5 });
    expect(captioned.map((a) => a.id)).toEqual(plain.map((a) => a.id));
    const withText = captioned.filter((a) => fake.getAsset(a.id)?.tracks?.some((t) => t.type === "text"));
    expect(withText.length).toBeGreaterThan(15);
    expect(withText.length).toBeLessThan(45);
    const sources = new Set(
      withText.flatMap((a) => (fake.getAsset(a.id)?.tracks ?? []).map((t) => t.text_source).filter(Boolean)),
    );
    expect(sources).toEqual(new Set(["uploaded", "generated_vod"]));
  });
});
