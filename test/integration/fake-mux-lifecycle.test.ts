/**
 * The fake's asset lifecycle on a ManualClock, both MP4 flavours, and its webhooks: Mux's
 * envelope, a signature the official SDK accepts, faults (drops, duplicates, reordering) and
 * retries.
 */
import Mux from "@mux/mux-node";
import { HttpResponse, http } from "msw";
import { describe, expect, it, vi } from "vitest";
import {
  type AssetSpec,
  createFakeMux,
  type FakeMuxOptions,
  type WebhookEnvelope,
} from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { network } from "../helpers/no-network";

const HOOK_URL = "https://hooks.test/mux";
const SECRET = "whsec-lifecycle-test";

type Received = { raw: string; headers: Headers; event: WebhookEnvelope };

/** A webhook receiver behind msw; `answer` decides each response's status. */
function receiver(answer: (event: WebhookEnvelope, n: number) => number = () => 200) {
  const received: Received[] = [];
  network.use(
    http.post(HOOK_URL, async ({ request }) => {
      const raw = await request.text();
      const event = JSON.parse(raw) as WebhookEnvelope;
      received.push({ raw, headers: request.headers, event });
      return new HttpResponse(null, { status: answer(event, received.length) });
    }),
  );
  return received;
}

function setup(options: FakeMuxOptions = {}) {
  // Near the real time: the SDK rejects signatures more than 300 s old.
  const clock = new ManualClock(Date.now());
  const fake = createFakeMux({
    clock,
    webhookUrl: HOOK_URL,
    webhookSecret: SECRET,
    lifecycle: { readyAfterMs: 2000, renditionsAfterMs: 3000 },
    ...options,
  });
  return { clock, fake };
}

const sdk = new Mux({
  tokenId: "x",
  tokenSecret: "y",
  webhookSecret: null,
  jwtSigningKey: null,
  jwtPrivateKey: null,
  authorizationToken: null,
});

const types = (received: Received[]): string[] => received.map((r) => r.event.type);
const fileNames = (spec: AssetSpec): string[] => {
  const fake = createFakeMux({ signingKey: { id: "k", privateKeyBase64: "unused" } });
  const asset = fake.createAsset({ status: "ready", ...spec });
  return (asset.static_renditions?.files ?? []).map(
    (f) => `${f.name}${f.width ? ` ${f.width}x${f.height}` : ""}`,
  );
};

describe("legacy mp4_support lifecycle", () => {
  it("goes preparing → ready → MP4s ready, emitting signed Mux webhooks in order", async () => {
    const received = receiver();
    const { fake } = setup();
    const { id } = fake.createAsset({ mp4Support: "standard", width: 1280, height: 720, passthrough: "p1" });

    expect(fake.getAsset(id)).toMatchObject({
      status: "preparing",
      progress: { state: "ingesting", progress: 0 },
      static_renditions: { status: "preparing" },
    });
    expect(fake.getAsset(id)).not.toHaveProperty("duration");

    await fake.advance(1999);
    expect(fake.getAsset(id)?.status).toBe("preparing");
    await fake.advance(1);
    expect(fake.getAsset(id)).toMatchObject({ status: "ready", static_renditions: { status: "preparing" } });
    expect(fake.getAsset(id)?.static_renditions).not.toHaveProperty("files");

    await fake.advance(3000);
    const ready = fake.getAsset(id);
    expect(ready?.static_renditions?.status).toBe("ready");
    expect(ready?.static_renditions?.files?.map((f) => f.name)).toEqual([
      "low.mp4",
      "medium.mp4",
      "high.mp4",
    ]);

    expect(types(received)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.ready",
      "video.asset.static_renditions.ready",
    ]);
    for (const { raw, headers, event } of received) {
      const unwrapped = await sdk.webhooks.unwrap(raw, headers, SECRET);
      expect(unwrapped.id).toBe(event.id);
      expect(headers.get("mux-signature")).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(event).toEqual({
        type: expect.any(String),
        request_id: null,
        object: { type: "asset", id },
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        environment: { name: expect.any(String), id: expect.any(String) },
        data: expect.objectContaining({ id, passthrough: "p1", created_at: expect.any(Number) }),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        attempts: [],
        accessor_source: null,
        accessor: null,
      });
    }
    const last = received.at(-1)?.event.data as {
      static_renditions: { files: Array<{ filesize: unknown }> };
    };
    expect(typeof last.static_renditions.files[0]?.filesize).toBe("number");
    await expect(
      sdk.webhooks.unwrap(received[0]?.raw ?? "", received[0]?.headers ?? {}, "wrong"),
    ).rejects.toThrow(/No signatures found/);
  });

  it("applies Mux's size thresholds and never upscales", () => {
    expect(fileNames({ mp4Support: "standard", width: 480, height: 270 })).toEqual(["low.mp4 480x270"]);
    expect(fileNames({ mp4Support: "standard", width: 640, height: 360 })).toEqual([
      "low.mp4 640x360",
      "medium.mp4 640x360",
    ]);
    expect(fileNames({ mp4Support: "standard", width: 960, height: 540 })).toEqual([
      "low.mp4 640x360",
      "medium.mp4 960x540",
      "high.mp4 960x540",
    ]);
    expect(fileNames({ mp4Support: "standard", width: 1920, height: 1080 })).toEqual([
      "low.mp4 640x360",
      "medium.mp4 960x540",
      "high.mp4 1920x1080",
    ]);
    // Either dimension qualifies.
    expect(fileNames({ mp4Support: "standard", width: 640, height: 300 })).toEqual([
      "low.mp4 640x300",
      "medium.mp4 640x300",
    ]);
    // Portrait video is measured on its short side and keeps its orientation.
    expect(fileNames({ mp4Support: "standard", width: 1080, height: 1920 })).toEqual([
      "low.mp4 360x640",
      "medium.mp4 540x960",
      "high.mp4 1080x1920",
    ]);
    expect(
      fileNames({ mp4Support: "capped-1080p", width: 3840, height: 2160, maxResolutionTier: "2160p" }),
    ).toEqual(["capped-1080p.mp4 1920x1080"]);
    expect(fileNames({ mp4Support: "audio-only,capped-1080p", width: 1280, height: 720 })).toEqual([
      "audio.m4a",
      "capped-1080p.mp4 1280x720",
    ]);
    expect(fileNames({ mp4Support: "standard", hasVideo: false })).toEqual(["audio.m4a"]);
  });

  it("errors the MP4s of audio-only support on a video-only asset", async () => {
    const received = receiver();
    const { fake } = setup();
    const { id } = fake.createAsset({ mp4Support: "audio-only", hasAudio: false });
    await fake.settle();
    expect(fake.getAsset(id)).toMatchObject({ status: "ready", static_renditions: { status: "errored" } });
    expect(types(received).at(-1)).toBe("video.asset.static_renditions.errored");
  });
});

describe("Static Renditions API lifecycle", () => {
  it("creates each file preparing, skips upscales at ready, then readies the rest with ids", async () => {
    const received = receiver();
    const { fake } = setup();
    // No stagger and the listed order: every file at once (fake-mux-renditions.test.ts staggers).
    const { id } = fake.createAsset({
      width: 1280,
      height: 720,
      staticRenditions: ["highest", "1080p", "720p", "270p", "audio-only"],
      renditionStaggerMs: 0,
      renditionOrder: "listed",
    });
    const created = fake.getAsset(id)?.static_renditions?.files ?? [];
    expect(created.map((f) => [f.name, f.status])).toEqual([
      ["highest.mp4", "preparing"],
      ["1080p.mp4", "preparing"],
      ["720p.mp4", "preparing"],
      ["270p.mp4", "preparing"],
      ["audio.m4a", "preparing"],
    ]);
    expect(fake.getAsset(id)).not.toHaveProperty("mp4_support");

    await fake.advance(2000);
    expect(fake.getAsset(id)?.static_renditions?.files?.find((f) => f.name === "1080p.mp4")?.status).toBe(
      "skipped",
    );

    await fake.advance(3000);
    const files = fake.getAsset(id)?.static_renditions?.files ?? [];
    expect(files.map((f) => [f.name, f.status, f.resolution, f.type])).toEqual([
      ["highest.mp4", "ready", "highest", "standard"],
      ["1080p.mp4", "skipped", "1080p", "advanced"],
      ["720p.mp4", "ready", "720p", "advanced"],
      ["270p.mp4", "ready", "270p", "advanced"],
      ["audio.m4a", "ready", "audio-only", "standard"],
    ]);
    const p270 = files.find((f) => f.name === "270p.mp4");
    expect(p270).toMatchObject({ width: 480, height: 270, resolution_tier: "720p", id: expect.any(String) });
    expect(typeof p270?.filesize).toBe("string");
    expect(Number(p270?.filesize)).toBeGreaterThan(0);

    expect(types(received)).toEqual([
      "video.asset.created",
      ...Array(5).fill("video.asset.static_rendition.created"),
      "video.asset.ready",
      "video.asset.static_rendition.skipped",
      ...Array(4).fill("video.asset.static_rendition.ready"),
    ]);
    const readyEvent = received.find((r) => r.event.type === "video.asset.static_rendition.ready")?.event;
    expect(readyEvent?.object).toEqual({ type: "static_rendition", id: readyEvent?.data.id });
    expect(readyEvent?.data).toMatchObject({ asset_id: id, name: "highest.mp4", status: "ready" });
    expect(typeof readyEvent?.data.filesize).toBe("number");
  });

  it("skips highest and video resolutions on an audio-only asset", () => {
    const fake = createFakeMux({ signingKey: { id: "k", privateKeyBase64: "unused" } });
    const asset = fake.createAsset({
      status: "ready",
      hasVideo: false,
      staticRenditions: ["highest", "audio-only"],
    });
    expect(asset.static_renditions?.files?.map((f) => [f.name, f.status])).toEqual([
      ["highest.mp4", "skipped"],
      ["audio.m4a", "ready"],
    ]);
    expect(asset.resolution_tier).toBe("audio-only");
  });
});

describe("errored assets and deletion", () => {
  it("errors with errors{type,messages} and no rendition events", async () => {
    const received = receiver();
    const { fake } = setup();
    const { id } = fake.createAsset({
      outcome: "errored",
      mp4Support: "capped-1080p",
      errors: { type: "invalid_input", messages: ["bad file"] },
    });
    await fake.advance(10_000);
    expect(fake.getAsset(id)).toMatchObject({
      status: "errored",
      errors: { type: "invalid_input", messages: ["bad file"] },
      progress: { state: "errored", progress: -1 },
    });
    expect(types(received)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.errored",
    ]);
  });

  it("deletes an asset (then it is gone) and emits video.asset.deleted", async () => {
    const received = receiver();
    const { fake } = setup();
    const { id } = fake.createAsset({ status: "ready" });
    fake.deleteAsset(id);
    await fake.webhooks.flush();
    expect(fake.getAsset(id)).toBeUndefined();
    expect(types(received)).toEqual(["video.asset.deleted"]);
  });
});

describe("webhook delivery", () => {
  it("settle() finishes every pending step and delivers its webhooks", async () => {
    const received = receiver();
    const { fake } = setup();
    const a = fake.createAsset({ mp4Support: "capped-1080p" });
    const b = fake.createAsset({ staticRenditions: ["highest"] });
    await fake.settle();
    expect(fake.getAsset(a.id)?.static_renditions?.status).toBe("ready");
    expect(fake.getAsset(b.id)?.static_renditions?.files?.[0]?.status).toBe("ready");
    expect(fake.webhooks.pendingCount()).toBe(0);
    expect(received).toHaveLength(fake.stats().webhooks.emitted);
  });

  it("honours drop and duplicate rates deterministically for a seed", async () => {
    const run = async () => {
      const received = receiver();
      const { fake } = setup({ seed: 7, faults: { dropRate: 0.25, duplicateRate: 0.25 } });
      for (let i = 0; i < 40; i++) fake.createAsset({ status: "ready" });
      for (const asset of fake.listAssets()) fake.deleteAsset(asset.id);
      await fake.webhooks.flush();
      return { received: received.map((r) => r.event.id), stats: fake.stats().webhooks };
    };
    const first = await run();
    const { stats } = first;
    expect(stats.emitted).toBe(40);
    expect(stats.dropped).toBeGreaterThan(3);
    expect(stats.duplicated).toBeGreaterThan(3);
    expect(first.received).toHaveLength(stats.emitted - stats.dropped + stats.duplicated);
    expect(new Set(first.received).size).toBe(stats.emitted - stats.dropped);
    expect(stats.delivered).toBe(first.received.length);

    network.resetHandlers();
    const second = await run();
    expect(second.stats).toEqual(first.stats);
    expect(second.received).toEqual(first.received);
  });

  it("reorders events with random delays but still delivers each one", async () => {
    const received = receiver();
    const { fake } = setup({ seed: 3, faults: { reorder: true, maxDelayMs: 5000 } });
    for (let i = 0; i < 20; i++) fake.createAsset({ status: "ready", passthrough: String(i) });
    for (const asset of fake.listAssets()) fake.deleteAsset(asset.id);
    const emitted = fake.eventLog().map((e) => e.id);
    await fake.webhooks.flush();
    const delivered = received.map((r) => r.event.id);
    expect([...delivered].sort()).toEqual([...emitted].sort());
    expect(delivered).not.toEqual(emitted);
  });

  it("retries a non-2xx with growing delays, listing earlier attempts, then gives up", async () => {
    let failUntil = 3;
    const received = receiver((_e, n) => (n < failUntil ? 500 : 200));
    const { fake } = setup({ webhooks: { retryDelaysMs: [1000, 2000] } });
    const { id } = fake.createAsset({ status: "ready" });
    fake.deleteAsset(id);

    await fake.webhooks.flush();
    expect(received).toHaveLength(1);
    expect(fake.webhooks.pendingCount()).toBe(1);
    await fake.webhooks.flush(); // the retry is not due yet
    expect(received).toHaveLength(1);
    await fake.advance(999);
    expect(received).toHaveLength(1);
    await fake.advance(1);
    expect(received).toHaveLength(2);
    await fake.advance(2000);
    expect(received).toHaveLength(3);
    expect(fake.webhooks.pendingCount()).toBe(0);
    expect(new Set(received.map((r) => r.event.id)).size).toBe(1);
    expect(received[2]?.event.attempts.map((a) => a.response_status_code)).toEqual([500, 500]);
    expect(fake.stats().webhooks).toMatchObject({ sent: 3, failed: 2, retried: 2, delivered: 1, gaveUp: 0 });
    for (const r of received)
      await expect(sdk.webhooks.unwrap(r.raw, r.headers, SECRET)).resolves.toBeDefined();

    failUntil = Number.POSITIVE_INFINITY;
    fake.fireEvent(fake.createAsset({ status: "ready" }).id, "video.asset.updated");
    await fake.webhooks.flush();
    await fake.advance(1000);
    await fake.advance(2000);
    expect(fake.stats().webhooks).toMatchObject({ gaveUp: 1 });
    expect(fake.webhooks.pendingCount()).toBe(0);
  });

  it("does not block API requests while a webhook delivery hangs (autoAdvance)", async () => {
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    network.use(
      http.post(HOOK_URL, async () => {
        calls++;
        await hanging;
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const fake = createFakeMux({ webhookUrl: HOOK_URL, autoAdvance: true, tickMs: 5, rateLimit: null });
    try {
      const { id } = fake.createAsset({ status: "ready" });
      fake.deleteAsset(id);
      const other = fake.createAsset({ status: "ready" });
      await vi.waitFor(() => expect(calls).toBe(1));
      const basic = Buffer.from(`${fake.credentials.tokenId}:${fake.credentials.tokenSecret}`).toString(
        "base64",
      );
      const response = await fake.fetch(
        new Request(`https://api.mux.com/video/v1/assets/${other.id}`, {
          headers: { authorization: `Basic ${basic}` },
        }),
      );
      expect(response.status).toBe(200);
      expect(fake.webhooks.pendingCount()).toBe(1);
    } finally {
      release();
      await fake.close();
    }
    expect(fake.stats().webhooks.delivered).toBe(1);
  });
});
