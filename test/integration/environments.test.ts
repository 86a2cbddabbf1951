/**
 * Mux environments: a token of another environment authenticates, lists another library and gets
 * 404 for this one. A connection is pinned to its environment on first use; when its token moves
 * to another one, its syncs are suspended and nothing is deleted until a person re-pins it.
 * Webhooks are routed by their envelope's environment, so one connection's secrets decide.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { bootstrapDefaults } from "../../src/resources/bootstrap";
import { repinConnection } from "../../src/resources/connections";
import { scheduleDuePasses } from "../../src/resources/passes";
import { mirror, storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const PROD = {
  id: "pr0d42",
  name: "Production",
  tokenId: "5e0f3a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
  tokenSecret: "prod-token-secret-0123456789",
  webhookSecret: "prod-webhook-secret-0123",
};

let h: PipelineWorld;
afterEach(() => {
  vi.useRealTimers();
  h?.close();
});

async function setup() {
  h = await createPipelineWorld();
  const prod = h.fake.addEnvironment({ ...PROD, webhookUrl: null });
  return { pipeline: h.pipeline, prod };
}

const useProdToken = () =>
  h.api("PATCH", "/v1/connections/con_default", {
    access_token_id: PROD.tokenId,
    access_token_secret: PROD.tokenSecret,
  });

describe("pinning a connection to its Mux environment", () => {
  it("pins on first use, and shows the environment on the connection", async () => {
    await setup();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    const connection = (await (await h.api("GET", "/v1/connections/con_default")).json()) as Record<
      string,
      unknown
    >;
    expect(connection.environment).toEqual({ id: h.fake.environment.id, name: h.fake.environment.name });
  });

  it("suspends the syncs and deletes nothing when the token moves to another environment, until the right one is back", async () => {
    const { pipeline } = await setup();
    const assets = Array.from({ length: 6 }, () =>
      h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
    );
    await h.pass("full");
    expect(mirror(pipeline.accepted).size).toBe(6);

    // The new token is checked when it is saved: the syncs are suspended before any pass runs.
    expect((await useProdToken()).status).toBe(200);
    expect(h.syncRow()).toMatchObject({ status: "suspended", suspension: "environment_changed" });
    await h.pass("full");
    expect(h.syncRow()).toMatchObject({ status: "suspended", suspension: "environment_changed" });
    expect(h.syncRow().status_reason).toContain(PROD.id);
    expect(h.syncRow().status_reason).toContain(h.fake.environment.id);
    // A webhook or a re-check in the meantime deletes nothing either.
    const first = assets[0];
    if (!first) throw new Error("no asset");
    h.fake.fireEvent(first.id, "video.asset.updated");
    await h.settle();
    for (const asset of assets) expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(pipeline.accepted.filter((d) => d.body.type === "object.deleted")).toEqual([]);

    // Back to the pinned environment's token: the syncs run again with a full pass, which finds
    // what changed meanwhile; still nothing was deleted.
    const added = h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.api("PATCH", "/v1/connections/con_default", {
      access_token_id: h.fake.credentials.tokenId,
      access_token_secret: h.fake.credentials.tokenSecret,
    });
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
    await h.runner.drain();
    expect(mirror(pipeline.accepted).size).toBe(7);
    expect(storyOf(pipeline.accepted, added.id)).toEqual(["object.ready"]);
    expect(pipeline.accepted.filter((d) => d.body.type === "object.deleted")).toEqual([]);
  });

  it("resumes on the next due pass when a restart brings the pinned environment's token back", async () => {
    const { pipeline } = await setup();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    await useProdToken();
    expect(h.syncRow().suspension).toBe("environment_changed");
    // A restart with the right MUX_TOKEN_ID: the environment's defaults overwrite the connection.
    await bootstrapDefaults(h.deps, h.settings.defaults);
    h.deps.credentials.invalidate("con_default");
    const added = h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    h.clock.advance((h.settings.defaults?.pollingIntervalSeconds ?? 0) * 1000 + 1_000);
    expect((await scheduleDuePasses(h.deps)).length).toBe(1);
    await h.runner.drain();
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
    expect(storyOf(pipeline.accepted, added.id)).toEqual(["object.ready"]);
    const last = h.database.sqlite
      .prepare("select kind from runs order by started_at desc, rowid desc limit 1")
      .get();
    expect(last).toEqual({ kind: "full" });
  });

  it("stays suspended on due passes while the token still reaches another environment", async () => {
    await setup();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    await useProdToken();
    const whoamiCalls = () =>
      Object.entries(h.fake.stats().environments[PROD.id]?.calls ?? {})
        .filter(([route]) => route.includes("whoami"))
        .flatMap(([, byStatus]) => Object.values(byStatus))
        .reduce((a, b) => a + b, 0);
    const before = whoamiCalls();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(3600_000);
      await scheduleDuePasses(h.deps);
      await h.runner.drain();
      expect(h.syncRow()).toMatchObject({ status: "suspended", suspension: "environment_changed" });
    }
    // Each due pass asked Mux again which environment the token reaches.
    expect(whoamiCalls() - before).toBe(3);
    expect(h.objectOf(h.fake.listAssets()[0]?.id ?? "")?.state).toBe("delivered");
  });

  it("re-pins only to the environment the token really reaches, and runs the syncs again", async () => {
    const { prod } = await setup();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    await useProdToken();
    await h.pass("full");
    expect(h.syncRow().suspension).toBe("environment_changed");

    const wrong = await h.api("PATCH", "/v1/connections/con_default", { environment_id: "nope42" });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(await wrong.json())).toContain(PROD.id);
    expect(h.syncRow().suspension).toBe("environment_changed");

    prod.createAsset({ mp4Support: "standard", status: "ready" });
    const repinned = await h.api("PATCH", "/v1/connections/con_default", { environment_id: PROD.id });
    expect(repinned.status).toBe(200);
    expect(((await repinned.json()) as { environment: unknown }).environment).toEqual({
      id: PROD.id,
      name: PROD.name,
    });
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
  });
});

describe("routing webhooks by environment", () => {
  it("verifies a webhook with the secrets of the connection pinned to its environment only", async () => {
    await setup();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    const created = await h.api("POST", "/v1/connections", {
      name: "Production",
      access_token_id: PROD.tokenId,
      access_token_secret: PROD.tokenSecret,
      webhook_secrets: [PROD.webhookSecret],
      validate: true,
    });
    expect(created.status).toBe(201);
    const prodConnection = ((await created.json()) as { id: string }).id;
    // Its first use (the test above, with validate) pins it.
    expect(await (await h.api("POST", `/v1/connections/${prodConnection}/test`)).json()).toMatchObject({
      success: true,
    });

    const post = (environment: { id: string; name: string }, secret: string) => {
      const body = JSON.stringify(muxEvent("video.asset.ready", { id: "asset-x" }, { environment }));
      return h.app.request("/webhooks/mux", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "mux-signature": muxSignature(body, secret, Math.floor(h.clock.now() / 1000)),
        },
        body,
      });
    };
    const prodEnv = { id: PROD.id, name: PROD.name };
    expect((await post(prodEnv, PROD.webhookSecret)).status).toBe(200);
    const event = h.database.sqlite
      .prepare("select connection_id from webhook_events order by received_at desc limit 1")
      .get() as { connection_id: string };
    expect(event.connection_id).toBe(prodConnection);
    // Signed with the other environment's secret: that connection's secrets are not tried.
    expect((await post(prodEnv, "test-webhook-secret-1")).status).toBe(401);
    expect((await post(h.fake.environment, "test-webhook-secret-1")).status).toBe(200);
  });
});

describe("re-pinning from the dashboard", () => {
  it("routes the very next webhook by the new pin, not by the old one", async () => {
    await setup();
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    await useProdToken();
    const post = (environment: { id: string; name: string }, n: number) => {
      const body = JSON.stringify(muxEvent("video.asset.ready", { id: `asset-p${n}` }, { environment }));
      return h.app.request("/webhooks/mux", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "mux-signature": muxSignature(body, "test-webhook-secret-1", Math.floor(h.clock.now() / 1000)),
        },
        body,
      });
    };
    // The wall clock stopped: no routing cache expires, only the re-pin itself can tell it.
    vi.useFakeTimers({ toFake: ["Date"] });
    const prodEnv = { id: PROD.id, name: PROD.name };
    expect((await post(prodEnv, 1)).status).toBe(401);
    expect((await post(h.fake.environment, 2)).status).toBe(200);
    // The dashboard's button calls the verb itself, not through the /v1 API.
    await repinConnection(h.deps, { id: "con_default" });
    expect((await post(prodEnv, 3)).status).toBe(200);
    expect((await post(h.fake.environment, 4)).status).toBe(401);
  });
});

describe("a departure after the token changed", () => {
  it("is announced once the library really moved and the person confirmed it (re-pin, then confirm)", async () => {
    const { pipeline } = await setup();
    const assets = Array.from({ length: 8 }, () =>
      h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
    );
    await h.pass("full");
    h.clock.advance(60_000);
    await useProdToken();
    await h.api("PATCH", "/v1/connections/con_default", { environment_id: PROD.id });
    await h.runner.drain();
    // Every asset is 404 in the new environment: the deletion guard holds them.
    expect(h.syncRow().suspension).toBe("deletion_guard");
    expect(assets.filter((a) => h.objectOf(a.id)?.state === "deleted").length).toBeLessThan(5);
    expect((await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/confirm-deletions")).status).toBe(
      200,
    );
    await h.runner.drain();
    for (const asset of assets) {
      expect(h.objectOf(asset.id)).toMatchObject({ state: "deleted" });
      expect(storyOf(pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:deleted_in_mux"]);
    }
  });
});
