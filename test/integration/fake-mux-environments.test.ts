/**
 * Several Mux environments in one fake, through the official SDK: a token sees its own
 * environment only (404 for another's asset ids), whoami answers per environment, webhooks go
 * to each environment's endpoint signed with its own secret and carry its `{id, name}`, and the
 * stream host serves playback ids of every environment.
 */
import Mux from "@mux/mux-node";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createFakeMux, type FakeMuxOptions } from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { sdkClient } from "../helpers/fake-mux-sdk";
import { network } from "../helpers/no-network";

const HOOK_A = "https://hooks.test/dev";
const HOOK_B = "https://hooks.test/prod";
const PROD = {
  id: "pr0d42",
  name: "Production",
  tokenId: "prod-token-id",
  tokenSecret: "prod-token-secret",
  webhookSecret: "prod-webhook-secret",
  webhookUrl: HOOK_B,
};

type Hook = { raw: string; headers: Headers };

function setup(options: FakeMuxOptions = {}) {
  // Near the real time: the SDK checks webhook signatures' age against Date.now().
  const clock = new ManualClock(Date.now());
  const fake = createFakeMux({
    clock,
    rateLimit: null,
    environment: { id: "d3v001", name: "Development" },
    webhookUrl: HOOK_A,
    webhookSecret: "dev-webhook-secret",
    signingKey: { id: "unused", privateKeyBase64: "unused" },
    ...options,
  });
  const prod = fake.addEnvironment(PROD);
  const hooks: Record<string, Hook[]> = { [HOOK_A]: [], [HOOK_B]: [] };
  network.use(
    ...fakeMuxHandlers(fake),
    ...[HOOK_A, HOOK_B].map((url) =>
      http.post(url, async ({ request }) => {
        hooks[url]?.push({ raw: await request.text(), headers: request.headers });
        return new HttpResponse(null, { status: 204 });
      }),
    ),
  );
  const dev = sdk(fake.credentials.tokenId, fake.credentials.tokenSecret);
  return { fake, prod, dev, prodSdk: sdk(PROD.tokenId, PROD.tokenSecret), hooks };
}

function sdk(tokenId: string, tokenSecret: string): Mux {
  return sdkClient(tokenId, tokenSecret);
}

const listIds = async (mux: Mux) => {
  const ids: string[] = [];
  for await (const asset of mux.video.assets.list({ limit: 2 })) ids.push(asset.id);
  return ids;
};

describe("several environments", () => {
  it("lists only the token's own environment and answers 404 for another's asset ids", async () => {
    const { fake, prod, dev, prodSdk } = setup();
    const devIds = [fake.createAsset({ status: "ready" }).id, fake.createAsset({ status: "ready" }).id];
    const prodIds = [0, 1, 2].map(() => prod.createAsset({ status: "ready" }).id);

    expect(new Set(await listIds(dev))).toEqual(new Set(devIds));
    expect(new Set(await listIds(prodSdk))).toEqual(new Set(prodIds));
    expect((await prodSdk.video.assets.retrieve(prodIds[0] ?? "")).id).toBe(prodIds[0]);
    const devId = devIds[0] ?? "";
    await expect(prodSdk.video.assets.retrieve(devId)).rejects.toBeInstanceOf(Mux.NotFoundError);
    await expect(dev.video.assets.retrieve(prodIds[0] ?? "")).rejects.toBeInstanceOf(Mux.NotFoundError);
    await expect(prodSdk.video.assets.update(devId, { passthrough: "x" })).rejects.toBeInstanceOf(
      Mux.NotFoundError,
    );
    await expect(prodSdk.video.assets.delete(devId)).rejects.toBeInstanceOf(Mux.NotFoundError);
    expect(fake.getAsset(devId)).toBeDefined();
    expect(prod.getAsset(devId)).toBeUndefined();

    // An asset created through a token lands in its environment.
    const made = await prodSdk.video.assets.create({ inputs: [{ url: "https://example.com/a.mp4" }] });
    expect(prod.getAsset(made.id)).toBeDefined();
    expect(fake.getAsset(made.id)).toBeUndefined();
    expect(prod.listAssets()).toHaveLength(4);
    expect(fake.listAssets()).toHaveLength(2);
  });

  it("answers whoami with each token's environment and permissions", async () => {
    const { fake, dev, prodSdk } = setup();
    fake.addEnvironment({
      id: "st4g3",
      name: "Staging",
      tokenId: "staging-reader",
      tokenSecret: "s",
      permissions: ["video:read"],
      webhookSecret: "staging-secret",
    });
    const staging = sdk("staging-reader", "s");
    expect(await dev.system.utilities.whoami()).toMatchObject({
      environment_id: "d3v001",
      environment_name: "Development",
    });
    expect(await prodSdk.system.utilities.whoami()).toMatchObject({
      environment_id: "pr0d42",
      environment_name: "Production",
      permissions: expect.arrayContaining(["video:read", "video:write"]),
    });
    expect(await staging.system.utilities.whoami()).toMatchObject({
      environment_id: "st4g3",
      environment_name: "Staging",
      permissions: ["video:read"],
    });
    await expect(
      staging.video.assets.create({ inputs: [{ url: "https://example.com/a.mp4" }] }),
    ).rejects.toBeInstanceOf(Mux.PermissionDeniedError);
    await expect(sdk(PROD.tokenId, "dev-webhook-secret").system.utilities.whoami()).rejects.toBeInstanceOf(
      Mux.AuthenticationError,
    );
  });

  it("sends each environment's webhooks to its endpoint, with its {id, name}, signed with its secret", async () => {
    const { fake, prod, hooks } = setup();
    const devAsset = fake.createAsset({ mp4Support: "capped-1080p" });
    const prodAsset = prod.createAsset({ staticRenditions: ["highest"] });
    await prod.settle(); // time is shared: the development asset finishes too

    const unwrap = (hook: Hook, secret: string) =>
      sdk("x", "y").webhooks.unwrap(hook.raw, hook.headers, secret);
    const devHooks = hooks[HOOK_A] ?? [];
    const prodHooks = hooks[HOOK_B] ?? [];
    expect(devHooks.map((h) => JSON.parse(h.raw).type)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.ready",
      "video.asset.static_renditions.ready",
    ]);
    expect(prodHooks.map((h) => JSON.parse(h.raw).type)).toEqual([
      "video.asset.created",
      "video.asset.static_rendition.created",
      "video.asset.ready",
      "video.asset.static_rendition.ready",
    ]);
    for (const hook of devHooks) {
      const event = await unwrap(hook, "dev-webhook-secret");
      expect(event.environment).toEqual({ id: "d3v001", name: "Development" });
      expect(JSON.stringify(event.data)).toContain(devAsset.id);
      await expect(unwrap(hook, PROD.webhookSecret)).rejects.toThrow(/No signatures found/);
    }
    for (const hook of prodHooks) {
      const event = await unwrap(hook, PROD.webhookSecret);
      expect(event.environment).toEqual({ id: "pr0d42", name: "Production" });
      expect(JSON.stringify(event.data)).toContain(prodAsset.id);
      await expect(unwrap(hook, "dev-webhook-secret")).rejects.toThrow(/No signatures found/);
    }
    expect(prod.eventLog().every((e) => e.environment.id === "pr0d42")).toBe(true);
    expect(fake.eventLog()).toHaveLength(4);
    expect(fake.stats().webhooks).toMatchObject({ emitted: 8, delivered: 8 });
  });

  it("counts calls per environment, keeps a rate-limit bucket per environment, serves every playback id", async () => {
    const { fake, prod, dev, prodSdk } = setup({ rateLimit: { perSecond: 1, burst: 1 } });
    const prodAsset = prod.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    await dev.video.assets.list({ limit: 5 });
    await expect(dev.video.assets.list({ limit: 5 })).rejects.toBeInstanceOf(Mux.RateLimitError);
    await prodSdk.video.assets.retrieve(prodAsset.id);
    await expect(sdk("nobody", "nothing").video.assets.list({ limit: 5 })).rejects.toBeInstanceOf(
      Mux.AuthenticationError,
    );

    const stats = fake.stats();
    expect(stats.calls["GET /video/v1/assets"]).toEqual({ "200": 1, "401": 1, "429": 1 });
    expect(stats.environments).toEqual({
      d3v001: { calls: { "GET /video/v1/assets": { "200": 1, "429": 1 } } },
      pr0d42: { calls: { "GET /video/v1/assets/:id": { "200": 1 } } },
    });

    // Playback ids are global on Mux: the stream host serves another environment's MP4s.
    const playbackId = prodAsset.playback_ids?.[0]?.id ?? "";
    const head = await fetch(`https://stream.mux.com/${playbackId}/capped-1080p.mp4`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(prodAsset.static_renditions?.files?.[0]?.filesize);
  });

  it("finds environments again, refuses clashing ids and tokens, and resets them all", () => {
    const { fake, prod } = setup();
    expect(fake.getEnvironment("pr0d42")).toBe(prod);
    expect(fake.getEnvironment("d3v001")).toBe(fake);
    expect(fake.getEnvironment("nope")).toBeUndefined();
    expect(fake.environments().map((e) => e.environment.id)).toEqual(["d3v001", "pr0d42"]);
    expect(prod.credentials).toEqual({
      tokenId: PROD.tokenId,
      tokenSecret: PROD.tokenSecret,
      webhookSecret: PROD.webhookSecret,
    });
    expect(() => fake.addEnvironment({ ...PROD, tokenId: "other" })).toThrow(/already exists/);
    expect(() => fake.addEnvironment({ ...PROD, id: "other" })).toThrow(/already belongs/);

    const a = fake.createAsset({ status: "ready" });
    const b = prod.createAsset({ status: "ready" });
    expect(a.id).not.toBe(b.id);
    fake.reset();
    expect(prod.listAssets()).toEqual([]);
    expect(fake.listAssets()).toEqual([]);
  });

  it("adds and addresses environments through the control API", async () => {
    const { fake } = setup();
    const call = (method: string, path: string, body?: unknown) =>
      fake.fetch(
        new Request(`http://fake/_fake${path}`, {
          method,
          ...(body !== undefined && {
            body: JSON.stringify(body),
            headers: { "content-type": "application/json" },
          }),
        }),
      );
    const added = await call("POST", "/environments", {
      id: "qa0001",
      name: "QA",
      tokenId: "qa-token",
      tokenSecret: "qa-secret",
      webhookSecret: "qa-webhook",
    });
    expect(added.status).toBe(201);
    expect((await call("POST", "/environments", { id: "qa0001" })).status).toBe(400);
    expect(
      (await call("POST", "/assets?environment=qa0001", { status: "ready", passthrough: "qa" })).status,
    ).toBe(201);
    const state = (await (await call("GET", "/state?environment=qa0001")).json()) as {
      environment: { id: string };
      environments: Array<{ id: string; assets: number }>;
      assets: Array<{ passthrough: string }>;
    };
    expect(state.environment.id).toBe("qa0001");
    expect(state.assets.map((a) => a.passthrough)).toEqual(["qa"]);
    expect(state.environments.map((e) => [e.id, e.assets])).toEqual([
      ["d3v001", 0],
      ["pr0d42", 0],
      ["qa0001", 1],
    ]);
    expect((await call("GET", "/assets?environment=nope")).status).toBe(404);
    const listed = await sdk("qa-token", "qa-secret").video.assets.list({ limit: 10 });
    expect(listed.data.map((a) => a.passthrough)).toEqual(["qa"]);
  });
});
