import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { renditionBytes } from "../../src/fake-mux/index";
import { TEST_PIPELINE_SECRET } from "../helpers/harness";
import { network } from "../helpers/no-network";
import { PipelineRecorder } from "../helpers/pipeline-receiver";
import { testSigningKey } from "../helpers/signing-key";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const PIPELINE_URL = "https://pipeline.test/hooks";
let h: FakeMuxHarness;
let storageDir: string | null = null;
afterEach(() => {
  h?.close();
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  storageDir = null;
});

async function withPipeline(env: Record<string, string> = {}, fake = {}) {
  const pipeline = new PipelineRecorder(TEST_PIPELINE_SECRET);
  h = await createFakeMuxHarness({
    env: { PIPELINE_URL, PIPELINE_SECRET: TEST_PIPELINE_SECRET, JOB_MAX_ATTEMPTS: "5", ...env },
    fake,
  });
  network.use(
    http.post(
      PIPELINE_URL,
      async ({ request }) => new HttpResponse(null, { status: await pipeline.handle(request) }),
    ),
  );
  return pipeline;
}

async function settle() {
  await h.settleAll();
  await h.fake.settle();
  await h.settleAll();
}

/** Runs jobs until none is waiting, moving the clock past each backoff. */
async function drainWithBackoff(rounds = 10) {
  for (let i = 0; i < rounds; i++) {
    await h.runner.drain();
    const next = await h.deps.jobs.nextDueAt();
    if (next === null) return;
    h.clock.set(Math.max(h.clock.now(), next));
  }
}

describe("delivery to the pipeline", () => {
  it("POSTs object.ready once, signed, with the contract's payload, and marks the object delivered", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({
      mp4Support: "standard",
      passthrough: "pt-1",
      meta: { title: "Cats", creator_id: "c1", external_id: "x1" },
    });
    await settle();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(pipeline.accepted).toHaveLength(1);
    const [delivery] = pipeline.accepted;
    const object = h.objectOf(asset.id);
    expect(delivery?.id).toBe(`${object?.id}.v${Number(object?.version) - 1}`);
    expect(delivery?.body).toEqual({
      type: "object.ready",
      data: {
        bucket_id: "bkt_default",
        sync_id: "syn_default",
        object_id: object?.id,
        source: {
          provider: "mux",
          asset_id: asset.id,
          playback_id: asset.playback_ids?.[0]?.id,
          playback_policy: "public",
        },
        rendition: expect.objectContaining({
          name: "low.mp4",
          url: expect.stringMatching(/^https:\/\/stream\.mux\.com\//),
        }),
        metadata: expect.objectContaining({
          title: "Cats",
          passthrough: "pt-1",
          creator_id: "c1",
          external_id: "x1",
          duration: expect.any(Number),
        }),
        tracks: [{ id: expect.any(String), type: "audio", language_code: null, name: null, primary: true }],
        images: {
          thumbnail_url: `https://image.mux.com/${asset.playback_ids?.[0]?.id}/thumbnail.jpg`,
          storyboard_url: `https://image.mux.com/${asset.playback_ids?.[0]?.id}/storyboard.vtt`,
          animated_url: `https://image.mux.com/${asset.playback_ids?.[0]?.id}/animated.gif`,
        },
      },
    });
    expect(pipeline.rejectedSignatures).toBe(0);
  });

  it("keeps the delivery id across retries: three 500s, then delivered", async () => {
    const pipeline = await withPipeline();
    pipeline.script.push(500, 500, 500);
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await settle();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "ready" });
    await drainWithBackoff();
    expect(pipeline.attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(pipeline.attempts.map((a) => a.id)).size).toBe(1);
    expect(pipeline.accepted).toHaveLength(1);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    const delivery = h.database.sqlite.prepare("select status, attempts, last_status from deliveries").get();
    expect(delivery).toEqual({ status: "delivered", attempts: 4, last_status: 200 });
  });

  it("gives up after the last attempt: the object is failed with the pipeline's answer", async () => {
    const pipeline = await withPipeline({ JOB_MAX_ATTEMPTS: "2" });
    pipeline.script.push(503, 503, 503);
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await settle();
    await drainWithBackoff();
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "failed", reason: "delivery_failed" });
    expect(String(object?.message)).toContain("HTTP 503");
    expect(h.database.sqlite.prepare("select status from deliveries").get()).toEqual({ status: "failed" });
  });

  it("tells the pipeline object.deleted when a delivered asset is deleted in Mux", async () => {
    const pipeline = await withPipeline();
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await settle();
    h.fake.deleteAsset(asset.id);
    await h.settleAll();
    expect(pipeline.accepted.map((d) => d.body.type)).toEqual(["object.ready", "object.deleted"]);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "deleted" });
  });
});

describe("download to STORAGE_DIR", () => {
  it("streams the chosen rendition to storage, records size and sha256, then delivers with its path", async () => {
    storageDir = mkdtempSync(join(tmpdir(), "mux-ingest-storage-"));
    const pipeline = await withPipeline({ STORAGE_DIR: storageDir });
    const asset = h.fake.createAsset({ mp4Support: "standard", duration: 12 });
    await settle();
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "delivered" });
    const rendition = JSON.parse(String(object?.rendition));
    const playbackId = String(asset.playback_ids?.[0]?.id);
    const expected = renditionBytes(playbackId, "low.mp4", 0, rendition.filesize);
    expect(rendition.path).toBe(join(storageDir, "bkt_default", asset.id, "low.mp4"));
    const bytes = readFileSync(rendition.path);
    expect(bytes.length).toBe(rendition.filesize);
    expect(Buffer.compare(bytes, Buffer.from(expected))).toBe(0);
    expect(rendition.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(pipeline.accepted[0]?.body.data.rendition).toMatchObject({
      path: rendition.path,
      sha256: rendition.sha256,
    });
  });

  it("falls back to the next rendition when the first choice answers 404", async () => {
    storageDir = mkdtempSync(join(tmpdir(), "mux-ingest-storage-"));
    await withPipeline({ STORAGE_DIR: storageDir });
    network.use(
      http.get("https://stream.mux.com/:playbackId/low.mp4", () => new HttpResponse(null, { status: 404 })),
    );
    const asset = h.fake.createAsset({ mp4Support: "standard", width: 1920, height: 1080 });
    await settle();
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "delivered" });
    expect(JSON.parse(String(object?.rendition)).name).toBe("medium.mp4");
    expect(existsSync(join(storageDir, "bkt_default", asset.id, "low.mp4"))).toBe(false);
  });

  it("downloads a signed-playback asset with a valid token, and removes the files when the asset is deleted", async () => {
    storageDir = mkdtempSync(join(tmpdir(), "mux-ingest-storage-"));
    const key = testSigningKey();
    await withPipeline(
      { STORAGE_DIR: storageDir, MUX_SIGNING_KEY: key.id, MUX_PRIVATE_KEY: key.privateKeyBase64 },
      { signingKey: key },
    );
    const asset = h.fake.createAsset({ mp4Support: "capped-1080p", playbackPolicies: ["signed"] });
    await settle();
    const object = h.objectOf(asset.id);
    expect(object).toMatchObject({ state: "delivered", playback_policy: "signed" });
    const path = JSON.parse(String(object?.rendition)).path;
    expect(existsSync(path)).toBe(true);
    expect(h.fake.stats().calls["GET /stream/:playback_id/:name"]?.["200"]).toBeGreaterThan(0);
    h.fake.deleteAsset(asset.id);
    await h.settleAll();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "deleted" });
    expect(existsSync(join(storageDir, "bkt_default", asset.id))).toBe(false);
  });
});

describe("download redirects", () => {
  it("does not follow a redirect off the stream host: it moves on to the next rendition", async () => {
    storageDir = mkdtempSync(join(tmpdir(), "mux-ingest-storage-"));
    await withPipeline({ STORAGE_DIR: storageDir });
    let followed = 0;
    network.use(
      http.get(
        "https://stream.mux.com/:playbackId/low.mp4",
        () =>
          new HttpResponse(null, { status: 302, headers: { location: "https://elsewhere.test/low.mp4" } }),
      ),
      http.get("https://elsewhere.test/*", () => {
        followed++;
        return new HttpResponse("not a video");
      }),
    );
    const asset = h.fake.createAsset({ mp4Support: "standard", width: 1920, height: 1080 });
    await settle();
    expect(followed).toBe(0);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(JSON.parse(String(h.objectOf(asset.id)?.rendition)).name).toBe("medium.mp4");
  });
});
