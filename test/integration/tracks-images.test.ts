/**
 * Captions, transcripts and images in the hand-off, against the fake Mux: every URL a delivery
 * carries is one the fake serves (with the token audience it checks, for signed ids), every
 * delivery is what the published JSON Schema describes, and caption changes after delivery each
 * give one `object.updated`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { TEXT_TRACK_MAX_BYTES } from "../../src/jobs/download-tracks";
import { isMuxId } from "../../src/mux/ids";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { signIn } from "../helpers/dashboard-client";
import { endlessBody } from "../helpers/endless-body";
import { escapedHtml } from "../helpers/html-escape";
import { network } from "../helpers/no-network";
import { mirror, storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";
import { testSigningKey } from "../helpers/signing-key";

const SCHEMA = z.fromJSONSchema(
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../docs/pipeline-payload.schema.json"), "utf8")),
);

let w: PipelineWorld;
afterEach(() => w?.close());

type Data = Record<string, unknown>;
type TextTrack = { id: string; type: "text"; vtt_url?: string; transcript_url?: string; text_source: string };
type Images = { thumbnail_url: string; storyboard_url: string; animated_url: string };

function latestFor(assetId: string): Data {
  const held = mirror(w.pipeline.accepted).get(assetId);
  if (!held) throw new Error(`the pipeline holds no ${assetId}`);
  return held.data;
}

const textTracksIn = (data: Data) =>
  (data.tracks as Array<{ type: string }>).filter((t): t is TextTrack => t.type === "text");

/** Every URL of a delivery: the rendition, each text track's files, each image. */
function urlsOf(data: Data): string[] {
  const images = data.images as Images | null;
  return [
    (data.rendition as { url: string }).url,
    ...textTracksIn(data).flatMap((t) => [t.vtt_url, t.transcript_url].filter((u): u is string => !!u)),
    ...(images ? [images.thumbnail_url, images.storyboard_url, images.animated_url] : []),
  ];
}

function audienceOf(url: string): unknown {
  const token = new URL(url).searchParams.get("token");
  if (!token) return null;
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")).aud;
}

function expectAllMatchTheSchema() {
  expect(w.pipeline.accepted.length).toBeGreaterThan(0);
  for (const delivery of w.pipeline.accepted) {
    const checked = SCHEMA.safeParse(delivery.body);
    expect(checked.success, JSON.stringify(checked.error?.issues)).toBe(true);
  }
}

const CAPTIONED = {
  mp4Support: "capped-1080p" as const,
  textTracks: [
    { textSource: "generated_vod" as const },
    { textSource: "uploaded" as const, languageCode: "fr" },
  ],
};

describe("what a delivery carries", () => {
  it("public: text tracks and images whose every URL the fake serves, without a token", async () => {
    w = await createPipelineWorld();
    const asset = w.fake.createAsset(CAPTIONED);
    await w.settle();
    const data = latestFor(asset.id);
    const [generated, uploaded] = textTracksIn(data);
    expect(generated).toMatchObject({
      text_source: "generated_vod",
      language_code: "en",
      closed_captions: false,
    });
    expect(generated?.transcript_url).toMatch(/\/text\/[A-Za-z0-9]+\.txt$/);
    expect(uploaded).toMatchObject({ text_source: "uploaded", language_code: "fr" });
    expect(uploaded?.transcript_url).toBeUndefined();
    const urls = urlsOf(data);
    expect(urls).toHaveLength(7);
    for (const url of urls) {
      expect(new URL(url).search).toBe("");
      expect((await fetch(url)).status, url).toBe(200);
    }
    expect((await fetch(generated?.vtt_url ?? "")).headers.get("content-type")).toBe("text/vtt");
    expectAllMatchTheSchema();
  });

  it("signed: each URL carries a fresh token of its own audience, and a token on another kind of URL is refused", async () => {
    const key = testSigningKey();
    w = await createPipelineWorld({
      env: { MUX_SIGNING_KEY: key.id, MUX_PRIVATE_KEY: key.privateKeyBase64 },
      fake: { signingKey: key },
    });
    const asset = w.fake.createAsset({ ...CAPTIONED, playbackPolicies: ["signed"] });
    await w.settle();
    const data = latestFor(asset.id);
    const images = data.images as Images;
    const [generated] = textTracksIn(data);
    expect(audienceOf((data.rendition as { url: string }).url)).toBe("v");
    expect(audienceOf(generated?.vtt_url ?? "")).toBe("v");
    expect(audienceOf(generated?.transcript_url ?? "")).toBe("v");
    expect([images.thumbnail_url, images.storyboard_url, images.animated_url].map(audienceOf)).toEqual([
      "t",
      "s",
      "g",
    ]);
    for (const url of urlsOf(data)) expect((await fetch(url)).status, url).toBe(200);
    // A thumbnail's token opens no storyboard, and a video token no thumbnail.
    const tokenOf = (url: string) => new URL(url).searchParams.get("token") ?? "";
    const swapped = (url: string, from: string) => `${url.split("?")[0]}?token=${tokenOf(from)}`;
    expect((await fetch(swapped(images.storyboard_url, images.thumbnail_url))).status).toBe(403);
    expect((await fetch(swapped(images.thumbnail_url, generated?.vtt_url ?? ""))).status).toBe(403);
    expect((await fetch(images.thumbnail_url.split("?")[0] ?? "")).status).toBe(403);
    // What is kept of the delivery holds no token.
    const kept = w.database.sqlite.prepare("select payload from deliveries").all() as Array<{
      payload: string;
    }>;
    for (const row of kept) expect(row.payload).not.toContain("token=");
    expectAllMatchTheSchema();
  });

  it("an audio-only asset has its audio track and no images", async () => {
    w = await createPipelineWorld();
    const asset = w.fake.createAsset({ status: "ready", hasVideo: false, mp4Support: "audio-only" });
    await w.pass("full");
    const data = latestFor(asset.id);
    expect(data.images).toBeNull();
    expect(data.tracks).toEqual([
      { id: expect.any(String), type: "audio", language_code: null, name: null, primary: true },
    ]);
    expectAllMatchTheSchema();
  });
});

describe('wait_for: ["captions"]', () => {
  it("holds an object until its generated captions are ready, then delivers object.ready with them", async () => {
    w = await createPipelineWorld({ env: { WAIT_FOR: "captions", WAIT_FOR_GRACE_SECONDS: "600" } });
    // Ready at 2 s, its MP4 at 5 s, its captions at 6 s.
    const asset = w.fake.createAsset({
      mp4Support: "capped-1080p",
      textTracks: [{ textSource: "generated_vod" }],
    });
    await w.fake.advance(5000);
    await w.settleAll();
    expect(w.objectOf(asset.id)).toMatchObject({
      state: "waiting_for_rendition",
      reason: "waiting_for_captions",
    });
    expect(String(w.objectOf(asset.id)?.message)).toContain("waits for captions");
    expect(w.pipeline.accepted).toHaveLength(0);
    await w.fake.advance(1000);
    await w.settleAll();
    expect(w.objectOf(asset.id)).toMatchObject({ state: "delivered", wait_for_expired_at: null });
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(textTracksIn(latestFor(asset.id))).toEqual([
      expect.objectContaining({ text_source: "generated_vod" }),
    ]);
  });

  it("delivers an asset whose captions never come once the grace is over, found by the poller's re-check alone", async () => {
    w = await createPipelineWorld({ env: { WAIT_FOR: "captions", WAIT_FOR_GRACE_SECONDS: "60" } });
    const asset = w.fake.createAsset({
      status: "ready",
      mp4Support: "capped-1080p",
      createdAt: w.clock.now() - 86_400_000,
    });
    await w.pass("full");
    expect(w.objectOf(asset.id)).toMatchObject({
      state: "waiting_for_rendition",
      reason: "waiting_for_captions",
    });
    w.clock.advance(59_000);
    await w.pass("scheduled");
    expect(w.objectOf(asset.id)).toMatchObject({ reason: "waiting_for_captions" });
    w.clock.advance(1_000);
    // An incremental pass does not list the old asset: its re-check of waiting objects finds it.
    await w.pass("scheduled");
    expect(w.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    expect(textTracksIn(latestFor(asset.id))).toEqual([]);

    const view = (await (await w.api("GET", `/v1/buckets/bkt_default/objects/${asset.id}`)).json()) as {
      wait_for_since: string;
      wait_for_expired_at: string;
      history: Array<{ state: string; reason: string | null; message: string }>;
    };
    expect(Date.parse(view.wait_for_expired_at) - Date.parse(view.wait_for_since)).toBe(60_000);
    expect(view.history.map((e) => e.reason)).toContain("waiting_for_captions");
    expect(
      view.history.some((e) => e.message.includes("No caption track became ready within the 60 s")),
    ).toBe(true);
  });

  it("never holds back an object the pipeline has: captions deleted after delivery are an update", async () => {
    w = await createPipelineWorld({ env: { WAIT_FOR: "captions" } });
    const asset = w.fake.createAsset({ status: "ready", mp4Support: "capped-1080p", textTracks: [{}] });
    await w.pass("full");
    const track = textTracksIn(latestFor(asset.id))[0];
    w.fake.deleteTextTrack(asset.id, track?.id ?? "");
    await w.settle();
    expect(w.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
  });
});

describe("caption changes after delivery", () => {
  it("a track that becomes ready, and one deleted, each give exactly one object.updated", async () => {
    w = await createPipelineWorld();
    const asset = w.fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    await w.pass("full");
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready"]);

    const added = w.fake.addTextTrack(asset.id, { textSource: "generated_vod", readyAfterMs: 1000 });
    await w.settleAll();
    // Created, not ready yet: nothing to hand over.
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    await w.fake.advance(1000);
    await w.settle();
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    expect(textTracksIn(latestFor(asset.id)).map((t) => t.id)).toEqual([added?.id]);

    w.fake.deleteTextTrack(asset.id, added?.id ?? "");
    await w.settle();
    // Repeated events and passes change nothing more.
    w.fake.fireEvent(asset.id, "video.asset.updated");
    await w.settle();
    await w.pass("full");
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual([
      "object.ready",
      "object.updated",
      "object.updated",
    ]);
    expect(textTracksIn(latestFor(asset.id))).toEqual([]);
    expectAllMatchTheSchema();
  });

  it("a caption whose webhook was lost is found by the next sweep, through the asset's fingerprint", async () => {
    w = await createPipelineWorld();
    const asset = w.fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    await w.pass("full");
    w.fake.setFaults({ dropRate: 1 });
    w.fake.addTextTrack(asset.id, { languageCode: "de", name: "Deutsch" });
    await w.settle();
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
    await w.pass("full");
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    expect(textTracksIn(latestFor(asset.id))).toEqual([expect.objectContaining({ language_code: "de" })]);
  });
});

describe("with STORAGE_DIR", () => {
  it("stores each text track's WebVTT (and a generated one's transcript) beside the MP4 and delivers their paths", async () => {
    w = await createPipelineWorld({ storage: true });
    const asset = w.fake.createAsset({ ...CAPTIONED, status: "ready" });
    await w.pass("full");
    const [generated, uploaded] = textTracksIn(latestFor(asset.id)) as Array<
      TextTrack & { path?: string; transcript_path?: string }
    >;
    const folder = `${w.storageDir}/bkt_default/${asset.id}`;
    expect(generated?.path).toBe(`${folder}/${generated?.id}.vtt`);
    expect(generated?.transcript_path).toBe(`${folder}/${generated?.id}.txt`);
    expect(uploaded?.path).toBe(`${folder}/${uploaded?.id}.vtt`);
    expect(uploaded?.transcript_path).toBeUndefined();
    expect(readFileSync(generated?.path ?? "", "utf8")).toBe(
      await (await fetch(generated?.vtt_url ?? "")).text(),
    );
    expect(readFileSync(generated?.transcript_path ?? "", "utf8")).toMatch(/^\[en\] .*line 1\n/);
    expect((latestFor(asset.id).rendition as { path: string }).path).toBe(`${folder}/capped-1080p.mp4`);

    // A caption added later is stored on its own; the MP4 is not fetched again.
    const mp4s = w.fake.stats().downloads.requests;
    const added = w.fake.addTextTrack(asset.id, { languageCode: "es", name: "Español" });
    await w.settle();
    expect(w.fake.stats().downloads.requests).toBe(mp4s);
    expect(storyOf(w.pipeline.accepted, asset.id)).toEqual(["object.ready", "object.updated"]);
    const stored = textTracksIn(latestFor(asset.id)) as Array<TextTrack & { path?: string }>;
    expect(stored.map((t) => t.path)).toEqual([
      generated?.path,
      uploaded?.path,
      `${folder}/${added?.id}.vtt`,
    ]);
    expectAllMatchTheSchema();
  });
});

describe("with STORAGE_DIR, a caption file the stream host will not give", () => {
  it("never holds back the MP4: a missing or oversized file is left unstored, its URL still delivered", async () => {
    w = await createPipelineWorld({ storage: true });
    const asset = w.fake.createAsset({ ...CAPTIONED, status: "ready" });
    const [generated, uploaded] = (w.fake.getAsset(asset.id)?.tracks ?? []).filter((t) => t.type === "text");
    const huge = endlessBody(64 * 1024);
    network.use(
      http.get(
        `https://stream.mux.com/*/text/${generated?.id}.txt`,
        () => new HttpResponse(null, { status: 404 }),
      ),
      http.get(`https://stream.mux.com/*/text/${uploaded?.id}.vtt`, () => new HttpResponse(huge.stream)),
    );
    await w.pass("full");
    expect(w.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    const [first, second] = textTracksIn(latestFor(asset.id)) as Array<
      TextTrack & { path?: string; transcript_path?: string }
    >;
    expect(first?.path).toMatch(/\.vtt$/);
    expect(first?.transcript_path).toBeUndefined();
    expect(first?.transcript_url).toMatch(/\.txt$/);
    expect(second?.path).toBeUndefined();
    expect(second?.vtt_url).toMatch(/\.vtt$/);
    // Read no further than the bound (one chunk past it at most).
    expect(huge.pulledBytes).toBeLessThanOrEqual(TEXT_TRACK_MAX_BYTES + 64 * 1024);
    expect((latestFor(asset.id).rendition as { path?: string }).path).toMatch(/capped-1080p\.mp4$/);
  });
});

describe("with STORAGE_DIR, a caption file answered with a redirect", () => {
  it("is not followed: the download fails and is retried, and the other host is never asked", async () => {
    w = await createPipelineWorld({ storage: true });
    const asset = w.fake.createAsset({ status: "ready", mp4Support: "capped-1080p", textTracks: [{}] });
    let elsewhere = 0;
    network.use(
      http.get("https://stream.mux.com/*/text/*", () =>
        HttpResponse.redirect("https://elsewhere.test/captions.vtt", 302),
      ),
      http.get("https://elsewhere.test/*", () => {
        elsewhere++;
        return new HttpResponse("WEBVTT");
      }),
    );
    await w.pass("full");
    expect(elsewhere).toBe(0);
    expect(w.objectOf(asset.id)).toMatchObject({ state: "ready" });
    expect(w.pipeline.accepted).toHaveLength(0);
    const job = w.database.sqlite
      .prepare("select status, last_error from jobs where type = 'download'")
      .get();
    expect(job).toMatchObject({ status: "pending", last_error: expect.stringContaining("answered 302") });
  });
});

describe("track names, languages and ids as Mux (or anything posing as it) sends them", () => {
  const hostileText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      "<script>alert(1)</script>",
      '"><img src=x onerror=alert(1)>',
      "\u001b[2J",
      "a\u0000b",
      "../../etc",
    ),
  );
  const trackId = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9]{8,44}$/),
    fc.constantFrom("x/../..", "..", "a b", "a\u0000b", "%2e%2e", "a".repeat(256)),
  );

  it("carries names and language codes verbatim, drops tracks whose id is not a Mux id, and the dashboard escapes them", async () => {
    w = await createPipelineWorld();
    const { cookie } = await signIn(w.app, ADMIN_TOKEN);
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, trackId, async (name, languageCode, id) => {
        const asset = w.fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
        w.fake.addTextTrack(asset.id, { id, name, languageCode });
        w.fake.fireEvent(asset.id, "video.asset.ready");
        await w.settleAll();
        const text = textTracksIn(latestFor(asset.id));
        if (isMuxId(id)) {
          expect(text).toEqual([expect.objectContaining({ id, name, language_code: languageCode })]);
          expect(new URL(text[0]?.vtt_url ?? "").pathname.endsWith(`/text/${id}.vtt`)).toBe(true);
        } else {
          expect(text).toEqual([]);
        }
        const view = (await (await w.api("GET", `/v1/buckets/bkt_default/objects/${asset.id}`)).json()) as {
          tracks: Array<{ name?: string }>;
        };
        expect(view.tracks.filter((t) => "name" in t && t.name === name)).toHaveLength(isMuxId(id) ? 1 : 0);
        // The object's story shows its tracks: each name as escaped text, never as markup.
        const objectId = String(w.objectOf(asset.id)?.id);
        const page = await (
          await w.app.request(`/dashboard/objects/${encodeURIComponent(objectId)}`, { headers: { cookie } })
        ).text();
        if (isMuxId(id) && name !== "") expect(page).toContain(escapedHtml(name));
        for (const raw of [name, languageCode].filter((v) => v.includes("alert(1)")))
          expect(page).not.toContain(raw);
      }),
      { numRuns: 25 },
    );
    expectAllMatchTheSchema();
  });
});
