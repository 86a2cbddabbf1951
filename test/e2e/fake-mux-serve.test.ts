/**
 * The fake Mux on a real loopback port: the SDK over HTTP, webhooks POSTed to a real receiver by
 * the fake's own timers, MP4 downloads, the control API and the `fake-mux` command.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Mux from "@mux/mux-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runFakeMuxCommand } from "../../src/fake-mux/cli";
import { type RunningFakeMux, startFakeMux, type WebhookEnvelope } from "../../src/fake-mux/index";

type Hook = { event: WebhookEnvelope; raw: string; headers: Record<string, string> };

let running: RunningFakeMux;
let hookServer: Server;
const hookBase = () => `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
const hooks: Hook[] = [];

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
      );
      hooks.push({ event: JSON.parse(raw) as WebhookEnvelope, raw, headers });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  const hookPort = (hookServer.address() as AddressInfo).port;
  running = await startFakeMux({
    port: 0,
    host: "127.0.0.1",
    webhookUrl: `http://127.0.0.1:${hookPort}/webhooks/mux`,
    webhookSecret: "e2e-secret",
    lifecycle: { readyAfterMs: 50, renditionsAfterMs: 50 },
    rateLimit: null,
  });
});

afterAll(async () => {
  await running?.close();
  await new Promise<void>((resolve) => hookServer?.close(() => resolve()));
});

describe("startFakeMux over real HTTP", () => {
  it("serves the SDK, runs the lifecycle on real timers, POSTs signed webhooks and MP4s", async () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.streamBaseUrl).toBe(`${running.url}/stream`);
    const mux = new Mux({
      baseURL: running.url,
      tokenId: running.fake.credentials.tokenId,
      tokenSecret: running.fake.credentials.tokenSecret,
      maxRetries: 0,
      webhookSecret: null,
      jwtSigningKey: running.fake.signingKey.id,
      jwtPrivateKey: running.fake.signingKey.privateKeyBase64,
      authorizationToken: null,
    });

    const createResponse = await fetch(`${running.url}/_fake/assets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ playbackPolicies: ["signed"], staticRenditions: ["highest"], duration: 2 }),
    });
    expect(createResponse.status).toBe(201);
    const { data: created } = (await createResponse.json()) as { data: { id: string } };

    await vi.waitFor(
      () => expect(hooks.map((h) => h.event.type)).toContain("video.asset.static_rendition.ready"),
      { timeout: 5000, interval: 20 },
    );
    for (const hook of hooks) {
      await expect(mux.webhooks.unwrap(hook.raw, hook.headers, "e2e-secret")).resolves.toMatchObject({
        id: hook.event.id,
      });
    }

    const asset = await mux.video.assets.retrieve(created.id);
    expect(asset.status).toBe("ready");
    const playbackId = asset.playback_ids?.[0]?.id ?? "";
    const file = asset.static_renditions?.files?.[0];
    const token = await mux.jwt.signPlaybackId(playbackId, { type: "video" });
    const download = await fetch(`${running.streamBaseUrl}/${playbackId}/${file?.name}?token=${token}`);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(Number(file?.filesize));
    const ranged = await fetch(`${running.streamBaseUrl}/${playbackId}/${file?.name}?token=${token}`, {
      headers: { range: "bytes=0-99" },
    });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    expect((await fetch(`${running.streamBaseUrl}/${playbackId}/${file?.name}`)).status).toBe(403);

    const listed: string[] = [];
    for await (const a of mux.video.assets.list({ limit: 100 })) listed.push(a.id);
    expect(listed).toEqual([created.id]);

    const stats = (await (await fetch(`${running.url}/_fake/stats`)).json()) as {
      retrieveCalls: number;
      downloads: { requests: number };
    };
    expect(stats.retrieveCalls).toBe(1);
    expect(stats.downloads.requests).toBe(2);
  });

  it("adds an environment over the control API: its own token, library and signed webhooks, staggered files", async () => {
    const hookUrl = `${hookBase()}/webhooks/prod`;
    const added = await fetch(`${running.url}/_fake/environments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "e2eprod",
        name: "E2E Production",
        tokenId: "e2e-prod-token",
        tokenSecret: "e2e-prod-secret",
        webhookSecret: "e2e-prod-webhook-secret",
        webhookUrl: hookUrl,
      }),
    });
    expect(added.status).toBe(201);
    const created = await fetch(`${running.url}/_fake/assets?environment=e2eprod`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        staticRenditions: ["highest", "audio-only"],
        renditionStaggerMs: 200,
        duration: 2,
      }),
    });
    const { data: asset } = (await created.json()) as { data: { id: string } };

    const prodHooks = () => hooks.filter((h) => h.event.environment.id === "e2eprod");
    await vi.waitFor(
      () =>
        expect(prodHooks().filter((h) => h.event.type === "video.asset.static_rendition.ready")).toHaveLength(
          2,
        ),
      { timeout: 5000, interval: 20 },
    );
    const ready = prodHooks().filter((h) => h.event.type === "video.asset.static_rendition.ready");
    expect(ready.map((h) => h.event.data.name)).toEqual(["audio.m4a", "highest.mp4"]);
    const gap = Date.parse(ready[1]?.event.created_at ?? "") - Date.parse(ready[0]?.event.created_at ?? "");
    expect(gap).toBeGreaterThanOrEqual(200);
    const verifier = new Mux({
      tokenId: "x",
      tokenSecret: "y",
      webhookSecret: null,
      jwtSigningKey: null,
      jwtPrivateKey: null,
      authorizationToken: null,
    });
    for (const hook of prodHooks()) {
      expect(hook.event.environment).toEqual({ id: "e2eprod", name: "E2E Production" });
      await expect(
        verifier.webhooks.unwrap(hook.raw, hook.headers, "e2e-prod-webhook-secret"),
      ).resolves.toBeDefined();
    }

    const prod = new Mux({
      baseURL: running.url,
      tokenId: "e2e-prod-token",
      tokenSecret: "e2e-prod-secret",
      maxRetries: 0,
      webhookSecret: null,
      jwtSigningKey: null,
      jwtPrivateKey: null,
      authorizationToken: null,
    });
    expect((await prod.system.utilities.whoami()).environment_id).toBe("e2eprod");
    const listed: string[] = [];
    for await (const a of prod.video.assets.list({ limit: 100 })) listed.push(a.id);
    expect(listed).toEqual([asset.id]);
  });

  it("runs as the fake-mux command with a seeded library until told to stop", async () => {
    const lines: string[] = [];
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let baseUrl = "";
    const args = ["--port", "0", "--assets", "12", "--seed", "9", "--rate-limit", "0", "--captioned", "1"];
    const exit = runFakeMuxCommand(args, {
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
      until,
      onReady: (url) => {
        baseUrl = url;
      },
    });
    await vi.waitFor(() => expect(baseUrl).not.toBe(""), { timeout: 5000, interval: 10 });
    const state = (await (await fetch(`${baseUrl}/_fake/state`)).json()) as {
      assets: Array<{ tracks?: Array<{ type: string }> }>;
    };
    expect(state.assets).toHaveLength(12);
    // --captioned 1: every asset that got as far as ready lists a text track.
    const listed = state.assets.filter((a) => a.tracks);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((a) => a.tracks?.some((t) => t.type === "text"))).toBe(true);
    const key = (await (await fetch(`${baseUrl}/_fake/signing-key`)).json()) as {
      data: { private_key: string };
    };
    expect(Buffer.from(key.data.private_key, "base64").toString()).toContain("BEGIN RSA PRIVATE KEY");
    stop();
    await expect(exit).resolves.toBe(0);
    const printed = lines.join("\n");
    expect(printed).toContain(`MUX_BASE_URL=${baseUrl}`);
    expect(printed).toContain(`MUX_STREAM_BASE_URL=${baseUrl}/stream`);
    expect(printed).toContain(`MUX_IMAGE_BASE_URL=${baseUrl}/image`);
    expect(printed).toMatch(/MUX_TOKEN_ID=\S+/);
    expect(printed).toMatch(/MUX_WEBHOOK_SECRET=\S+/);
    expect(printed).toMatch(/MUX_SIGNING_KEY=\S+/);
  });

  it("rejects bad flags with exit code 2", async () => {
    const lines: string[] = [];
    const code = await runFakeMuxCommand(["--drop-rate", "2"], {
      err: (l) => lines.push(l),
      out: (l) => lines.push(l),
    });
    expect(code).toBe(2);
    expect(lines[0]).toContain("--drop-rate");
  });
});
