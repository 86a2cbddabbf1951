/** The `/_fake` control API and the seeded library generator. */
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createFakeMux, type FakeAsset, librarySpecs, type WebhookEnvelope } from "../../src/fake-mux/index";
import { seededRandom } from "../../src/fake-mux/random";
import { ManualClock } from "../../src/lib/clock";
import { network } from "../helpers/no-network";

// Tests that never touch signed playback skip generating an RSA key.
const NO_KEY = { signingKey: { id: "unused", privateKeyBase64: "unused" } };

function call(fake: ReturnType<typeof createFakeMux>, method: string, path: string, body?: unknown) {
  return fake.fetch(
    new Request(`http://fake${path}`, {
      method,
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      }),
    }),
  );
}

describe("control API", () => {
  it("creates, inspects, fires events for, advances and deletes assets", async () => {
    const received: WebhookEnvelope[] = [];
    network.use(
      http.post("https://hooks.test/x", async ({ request }) => {
        received.push((await request.json()) as WebhookEnvelope);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const clock = new ManualClock(Date.now());
    const fake = createFakeMux({ clock, ...NO_KEY });

    expect((await call(fake, "PUT", "/_fake/webhook-url", { url: "https://hooks.test/x" })).status).toBe(200);
    const created = await call(fake, "POST", "/_fake/assets", {
      id: "myChosenAssetId",
      playbackPolicies: ["public", "signed"],
      mp4Support: "capped-1080p",
      passthrough: "chosen",
      readyAfterMs: 1000,
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { data: FakeAsset }).data).toMatchObject({
      id: "myChosenAssetId",
      status: "preparing",
      passthrough: "chosen",
    });
    expect((await call(fake, "POST", "/_fake/assets", { mp4Support: "nope" })).status).toBe(400);
    expect((await call(fake, "POST", "/_fake/assets", { id: "myChosenAssetId" })).status).toBe(400);

    expect((await call(fake, "POST", "/_fake/advance", { ms: 1000 })).status).toBe(200);
    const state = (await (await call(fake, "GET", "/_fake/state")).json()) as {
      assets: FakeAsset[];
      pending_lifecycle_steps: number;
    };
    expect(state.assets[0]?.status).toBe("ready");
    expect(state.pending_lifecycle_steps).toBe(1);

    const fired = await call(fake, "POST", "/_fake/assets/myChosenAssetId/events", {
      type: "video.asset.ready",
    });
    expect(fired.status).toBe(202);
    expect((await call(fake, "POST", "/_fake/settle")).status).toBe(200);
    expect(fake.getAsset("myChosenAssetId")?.static_renditions?.status).toBe("ready");

    expect((await call(fake, "DELETE", "/_fake/assets/myChosenAssetId")).status).toBe(204);
    expect((await call(fake, "DELETE", "/_fake/assets/myChosenAssetId")).status).toBe(404);
    await fake.webhooks.flush();
    expect(received.map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.ready",
      "video.asset.ready",
      "video.asset.static_renditions.ready",
      "video.asset.deleted",
    ]);
    const stats = (await (await call(fake, "GET", "/_fake/stats")).json()) as {
      webhooks: { delivered: number };
    };
    expect(stats.webhooks.delivered).toBe(6);

    expect((await call(fake, "POST", "/_fake/reset")).status).toBe(200);
    expect(fake.listAssets()).toEqual([]);
    expect(fake.stats().webhooks.delivered).toBe(0);
  });

  it("changes faults, the rate limit and tokens at run time", async () => {
    const fake = createFakeMux({ clock: new ManualClock(0), ...NO_KEY });
    await call(fake, "POST", "/_fake/tokens", { id: "t2", secret: "s2", permissions: ["video:read"] });
    const auth = { authorization: `Basic ${Buffer.from("t2:s2").toString("base64")}` };
    const list = () => fake.fetch(new Request("http://fake/video/v1/assets?limit=1", { headers: auth }));

    expect((await call(fake, "PUT", "/_fake/rate-limit", { perSecond: 1, burst: 1 })).status).toBe(200);
    expect((await list()).status).toBe(200);
    const limited = await list();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    await call(fake, "PUT", "/_fake/rate-limit", null);
    expect((await list()).status).toBe(200);

    await call(fake, "PUT", "/_fake/faults", { errorRate: 1 });
    const failed = await list();
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { type: "internal_server_error" } });
    expect(fake.stats().injectedErrors).toBe(1);
    expect(fake.stats().calls["GET /video/v1/assets"]).toEqual({ "200": 2, "429": 1, "500": 1 });
  });
});

describe("seeded library", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const ids = (seed: number) =>
      createFakeMux({ clock: new ManualClock(0), ...NO_KEY }).generateLibrary(30, seed);
    const a = ids(5);
    expect(ids(5)).toEqual(a);
    expect(ids(6).map((x) => x.id)).not.toEqual(a.map((x) => x.id));

    // Replaying a seed in the same fake adds a second library rather than clashing ids.
    const fake = createFakeMux({ clock: new ManualClock(0), ...NO_KEY });
    fake.generateLibrary(30, 5);
    fake.generateLibrary(30, 5);
    fake.createAsset();
    expect(new Set(fake.listAssets().map((x) => x.id)).size).toBe(61);
  });

  it("has the realistic mix, both MP4 flavours, and finishes what is still preparing", async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const fake = createFakeMux({ clock, ...NO_KEY });
    const kinds = librarySpecs(300, seededRandom(11), clock.now()).map((e) => e.kind);
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect(count("public-mp4")).toBeGreaterThan(60);
    expect(count("no-mp4")).toBe(120); // two in five: MP4s are opt-in on Mux
    for (const kind of ["signed-mp4", "drm-only", "no-playback-id", "no-mp4", "errored", "preparing"]) {
      expect(count(kind)).toBeGreaterThan(3);
    }

    // A demo-sized library still holds every kind.
    const small = new Set(librarySpecs(60, seededRandom(3), clock.now()).map((e) => e.kind));
    expect(small.size).toBe(8);

    const assets = fake.generateLibrary(300, 11);
    expect(assets).toHaveLength(300);
    const policies = (a: FakeAsset) => (a.playback_ids ?? []).map((p) => p.policy).join(",");
    expect(assets.filter((a) => policies(a) === "drm").length).toBe(count("drm-only"));
    expect(assets.filter((a) => !a.playback_ids).length).toBe(count("no-playback-id"));
    expect(assets.filter((a) => a.status === "errored").length).toBe(count("errored"));
    expect(assets.filter((a) => a.status === "preparing").length).toBe(count("preparing"));
    expect(assets.some((a) => a.mp4_support && a.mp4_support !== "none")).toBe(true);
    expect(assets.some((a) => a.static_renditions?.files?.some((f) => f.id))).toBe(true);
    expect(fake.eventLog()).toEqual([]); // the library existed before anyone listened

    const listed = fake.listAssets();
    const created = listed.map((a) => Number(a.created_at));
    expect(created).toEqual([...created].sort((x, y) => y - x));

    await fake.settle();
    expect(fake.listAssets().filter((a) => a.status === "preparing")).toEqual([]);
    expect(fake.eventLog().some((e) => e.type === "video.asset.ready")).toBe(true);
  });
});
