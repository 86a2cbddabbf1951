/**
 * MP4s made on demand (`create_renditions`), against the fake Mux: a seeded library where about
 * two assets in five have no MP4 reaches the pipeline completely with a write token; with a
 * read-only token those assets are skipped `no_write_permission` (and the connection test says
 * so) while the others are delivered, and they are judged again once the token may write.
 */
import { afterEach, describe, expect, it } from "vitest";
import { formatOverview } from "../../src/cli/status";
import type { FakeAsset } from "../../src/fake-mux/index";
import { readOverview } from "../../src/resources/overview";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { expectationFor, expectedView } from "../helpers/chaos-library";
import { mirror } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";
import { testSigningKey } from "../helpers/signing-key";

let h: PipelineWorld;
afterEach(() => h?.close());

const READ_ONLY_HELP =
  "the access token is read-only: give it Mux Video Read and Write, or enable MP4 support on the asset";

/** The library as Mux shows it before the service runs: assets with no MP4 support at all. */
const withoutMp4 = (a: FakeAsset) =>
  a.static_renditions === undefined && (a.mp4_support === undefined || a.mp4_support === "none");

/** Ready and playable (public, or signed with the key the connection holds): creating an MP4 is worth it. */
const playable = (a: FakeAsset) =>
  a.status !== "errored" &&
  (a.playback_ids ?? []).some((p) => p.policy === "public" || p.policy === "signed");

/**
 * As the library was before the service ran: ready, playable, and no MP4 will come (none asked
 * for, or every static rendition it has was skipped).
 */
const neverGetsAnMp4 = (a: FakeAsset) =>
  a.status === "ready" &&
  playable(a) &&
  (a.mp4_support === undefined || a.mp4_support === "none") &&
  (a.static_renditions?.files ?? []).every((f) => f.status === "skipped" || f.status === "errored");

async function world(options: { writable: boolean }) {
  const key = testSigningKey();
  h = await createPipelineWorld({
    env: { CREATE_RENDITIONS: "highest", MUX_SIGNING_KEY: key.id, MUX_PRIVATE_KEY: key.privateKeyBase64 },
    fake: { signingKey: key, ...(options.writable ? {} : { permissions: ["video:read"] }) },
  });
  const library = h.fake.generateLibrary(60, 17, { noMp4Share: 0.4 });
  const bare = library.filter(withoutMp4);
  expect(bare.length / library.length).toBeGreaterThanOrEqual(0.35);
  await h.pass("initial");
  await converge();
  return { library, bare };
}

/** Webhooks, jobs (past their backoff) and the fake's lifecycle, until nothing is left. */
async function converge() {
  for (let i = 0; i < 6; i++) {
    await h.settle();
    await h.drainWithBackoff();
  }
}

/** Mux's final view of the library, judged by the chaos suite's small oracle. */
function qualifying(): Map<string, { rendition: string }> {
  return new Map(
    h.fake
      .listAssets()
      .filter((asset) => expectationFor(asset, null).deliver)
      .map((asset) => [asset.id, { rendition: expectedView(asset).rendition }]),
  );
}

function objectState(assetId: string) {
  const row = h.objectOf(assetId);
  return { state: row?.state, reason: row?.reason, message: row?.message };
}

describe("create_renditions with a write token", () => {
  it("brings a library with ~40 % of assets without MP4s to the pipeline completely, each with its rendition", async () => {
    const { library, bare } = await world({ writable: true });
    const held = mirror(h.pipeline.accepted);
    const expected = qualifying();
    expect(new Map([...held].map(([id, o]) => [id, { rendition: o.rendition }]))).toEqual(expected);

    const creates = h.fake.stats().renditions.creates;
    const asked = library.filter(neverGetsAnMp4);
    expect(asked.length).toBeGreaterThan(bare.filter(playable).length * 0.9);
    // Every playable ready asset no MP4 would come to was asked for `highest`, once; nothing else was.
    expect(Object.keys(creates).sort()).toEqual(asked.map((a) => `${a.id}/highest`).sort());
    expect(Object.values(creates).every((n) => n === 1)).toBe(true);
    for (const asset of asked.filter((a) => a.static_renditions?.files?.length)) {
      // Its own renditions were all skipped: Mux refuses `highest` beside them, and it says why.
      expect(objectState(asset.id)).toMatchObject({
        state: "skipped",
        reason: "no_static_renditions",
        message: expect.stringContaining(
          "Mux refused the request: Mux answered 400: A static rendition with resolution highest cannot be combined",
        ),
      });
    }
    for (const asset of asked.filter((a) => !a.static_renditions?.files?.length)) {
      const file = h.fake.getAsset(asset.id)?.static_renditions?.files?.[0];
      if (file?.status === "ready") {
        expect(held.get(asset.id)?.rendition).toBe("highest.mp4");
        expect(objectState(asset.id).state).toBe("delivered");
      } else {
        // An audio-only asset: Mux skips `highest`; it is skipped at once, saying so.
        expect(file?.status).toBe("skipped");
        expect(objectState(asset.id)).toMatchObject({
          state: "skipped",
          reason: "no_static_renditions",
          message: expect.stringContaining("Mux skipped highest.mp4"),
        });
      }
    }
    expect(asked.filter((a) => held.has(a.id)).length).toBeGreaterThan(10);
    const requests = h.database.sqlite
      .prepare("select status, count(*) as n from rendition_requests group by status order by status")
      .all();
    const clashing = asked.filter((a) => a.static_renditions?.files?.length).length;
    expect(requests).toEqual(
      [
        { status: "created", n: asked.length - clashing },
        { status: "rejected", n: clashing },
      ].filter((r) => r.n > 0),
    );
  });

  it("records on the object what was asked and what Mux answered, and waits as rendition_requested meanwhile", async () => {
    h = await createPipelineWorld({ env: { CREATE_RENDITIONS: "highest" } });
    const asset = h.fake.createAsset({ mp4Support: "none" });
    await h.fake.advance(2_000); // ready: video.asset.ready, no MP4
    await h.settleAll();
    expect(objectState(asset.id)).toMatchObject({
      state: "waiting_for_rendition",
      reason: "rendition_requested",
    });
    const counts = await h.api("GET", "/v1/buckets/bkt_default/objects?reason=rendition_requested");
    expect(((await counts.json()) as { data: unknown[] }).data).toHaveLength(1);
    await converge();
    const detail = (await (await h.api("GET", `/v1/buckets/bkt_default/objects/${asset.id}`)).json()) as {
      history: Array<{ state: string; reason: string | null; message: string | null }>;
      rendition_requests: Array<Record<string, unknown>>;
    };
    expect(detail.history.map((e) => [e.state, e.reason])).toEqual([
      ["waiting_for_rendition", "rendition_requested"],
      ["ready", null],
      ["delivered", null],
    ]);
    expect(detail.history[0]?.message).toContain(
      "Asked Mux for static rendition highest (create_renditions)",
    );
    expect(detail.rendition_requests).toEqual([
      {
        resolution: "highest",
        status: "created",
        message: expect.stringMatching(/^Mux is making highest\.mp4 \(static rendition \w+, preparing\)$/),
        requested_at: expect.any(String),
        answered_at: expect.any(String),
        removed_at: null,
      },
    ]);
  });
});

describe("switching create_renditions on", () => {
  it("asks for the assets already waiting without an MP4, and counts no repair for it (no webhook was missed)", async () => {
    h = await createPipelineWorld();
    const id = h.fake.createAsset({ mp4Support: "none" }).id;
    await h.settle();
    await h.pass("full");
    expect(objectState(id)).toMatchObject({ state: "waiting_for_rendition", reason: null });
    const patched = await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      create_renditions: ["highest"],
    });
    expect(patched.status).toBe(200);
    await h.runner.drain();
    await converge();
    expect(objectState(id).state).toBe("delivered");
    expect(h.fake.stats().renditions.creates).toEqual({ [`${id}/highest`]: 1 });
    const repaired = h.database.sqlite.prepare("select sum(repaired) as n from runs").get();
    expect(repaired).toEqual({ n: 0 });
  });
});

describe("what a person sees", () => {
  it("counts objects waiting for an MP4 asked of Mux apart from those waiting for Mux on its own (dashboard, status)", async () => {
    h = await createPipelineWorld({ env: { CREATE_RENDITIONS: "highest" } });
    h.fake.createAsset({ mp4Support: "none", renditionsAfterMs: null });
    h.fake.createAsset({ staticRenditions: ["720p"], renditionsAfterMs: null });
    h.fake.createAsset({ staticRenditions: ["720p"], renditionsAfterMs: null });
    await h.fake.advance(2_000);
    await h.settleAll();
    const overview = await readOverview(h.deps);
    expect(overview.buckets[0]?.by_reason).toEqual([
      { state: "waiting_for_rendition", reason: null, count: 2 },
      { state: "waiting_for_rendition", reason: "rendition_requested", count: 1 },
    ]);
    const status = formatOverview(overview);
    expect(status).toMatch(/waiting_for_rendition\s+2 {2}waiting for Mux, on its own/);
    expect(status).toMatch(
      /waiting_for_rendition\s+rendition_requested\s+1 {2}waiting for an MP4 asked of Mux \(create_renditions\)/,
    );
    const page = await (
      await h.app.request("/", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(page).toContain('data-testid="reason-bkt_default-waiting_for_rendition-rendition_requested"');
    expect(page).toContain('data-testid="reason-bkt_default-waiting_for_rendition-none"');
    expect(page).toContain("waiting for an MP4 asked of Mux (create_renditions)");
  });
});

describe("create_renditions with a read-only token", () => {
  it("skips the assets without MP4s (no_write_permission, with the message), delivers the others, and the test says it cannot write", async () => {
    const { bare } = await world({ writable: false });
    const held = mirror(h.pipeline.accepted);
    for (const asset of bare.filter(playable)) {
      expect(objectState(asset.id)).toEqual({
        state: "skipped",
        reason: "no_write_permission",
        message: `The asset has no MP4 and create_renditions asks for highest, but ${READ_ONLY_HELP}`,
      });
      expect(held.has(asset.id)).toBe(false);
    }
    // The others reach the pipeline as without create_renditions.
    expect(new Map([...held].map(([id, o]) => [id, { rendition: o.rendition }]))).toEqual(qualifying());
    expect(held.size).toBeGreaterThan(10);
    // The 403 settles it: the first refused create(s) (two job loops), then no more are sent.
    const refused = h.fake.stats().calls["POST /video/v1/assets/:id/static-renditions"] ?? {};
    expect(Object.keys(refused)).toEqual(["403"]);
    expect(refused["403"]).toBeLessThanOrEqual(2);
    expect(h.database.sqlite.prepare("select write_permission as w from connections").get()).toEqual({
      w: 0,
    });

    const test = (await (await h.api("POST", "/v1/connections/con_default/test")).json()) as {
      success: boolean;
      message: string;
      details: Record<string, unknown>;
    };
    expect(test.success).toBe(true);
    expect(test.details).toMatchObject({ can_write: false, permissions: ["video:read"] });
    expect(test.message).toContain(
      "whoami lists no write permission: create_renditions needs a token with Mux Video Read and Write",
    );
  });

  it("judges them again once a connection test finds the token may write, and delivers them", async () => {
    const { bare } = await world({ writable: false });
    const skipped = bare.filter(playable).filter((a) => objectState(a.id).reason === "no_write_permission");
    expect(skipped.length).toBeGreaterThan(5);
    h.fake.setTokenPermissions(h.fake.credentials.tokenId, ["video:read", "video:write"]);
    const test = (await (await h.api("POST", "/v1/connections/con_default/test")).json()) as {
      details: Record<string, unknown>;
    };
    expect(test.details.can_write).toBe(true);
    await h.runner.drain();
    await converge();
    const held = mirror(h.pipeline.accepted);
    expect(new Map([...held].map(([id, o]) => [id, { rendition: o.rendition }]))).toEqual(qualifying());
    for (const asset of skipped) expect(objectState(asset.id).reason).not.toBe("no_write_permission");
    const made = h.fake.stats().calls["POST /video/v1/assets/:id/static-renditions"] ?? {};
    expect(made["201"]).toBe(skipped.length);
  });

  it("judges them again when the connection gets a new token", async () => {
    const { bare } = await world({ writable: false });
    const skipped = bare.filter(playable).filter((a) => objectState(a.id).reason === "no_write_permission");
    h.fake.addAccessToken({ id: "22222222-3333-4444-8555-666666666666", secret: "a-write-token-secret" });
    const patched = await h.api("PATCH", "/v1/connections/con_default", {
      access_token_id: "22222222-3333-4444-8555-666666666666",
      access_token_secret: "a-write-token-secret",
    });
    expect(patched.status).toBe(200);
    await h.runner.drain();
    await converge();
    for (const asset of skipped) expect(objectState(asset.id).reason).not.toBe("no_write_permission");
    expect(
      new Map([...mirror(h.pipeline.accepted)].map(([id, o]) => [id, { rendition: o.rendition }])),
    ).toEqual(qualifying());
  });
});
