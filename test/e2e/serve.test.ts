/**
 * `mux-ingest serve` as a real process against the fake Mux on a real port: the push path end to
 * end, as an operator would run it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { type ServeProcess, startServe } from "../helpers/serve-process";
import { muxSignature } from "../helpers/sign-mux";

const TOKEN_ID = "0b6a3c1e-9f2d-4e8a-b7c5-1d2e3f4a5b6c";
const TOKEN_SECRET = "e2e-token-secret";
const WEBHOOK_SECRET = "e2e-webhook-secret";

let fake: RunningFakeMux;
let serve: ServeProcess;
let dir: string;
let dbPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-e2e-"));
  dbPath = join(dir, "mux-ingest.db");
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: null,
  });
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: WEBHOOK_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: dbPath,
    // Far away: this test is about the push path alone.
    POLLING_INTERVAL_SECONDS: "3600",
  });
});

afterAll(async () => {
  await serve?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function readDb<T>(query: string, ...params: unknown[]): T | undefined {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

async function postWebhook(body: string, signature: string) {
  return fetch(`${serve.url}/webhooks/mux`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "mux-signature": signature },
  });
}

describe("mux-ingest serve", () => {
  it("takes a correctly signed video.asset.ready to an object in ready within a second", async () => {
    const asset = fake.fake.createAsset({ status: "ready", mp4Support: "standard" });
    const event = {
      type: "video.asset.ready",
      id: "e2e-event-1",
      object: { type: "asset", id: asset.id },
      environment: { id: "fk3nv1", name: "Fake Development" },
      data: { ...asset, created_at: Number(asset.created_at) },
      created_at: new Date().toISOString(),
      attempts: [],
    };
    const body = JSON.stringify(event);
    const sent = Date.now();
    const res = await postWebhook(body, muxSignature(body, WEBHOOK_SECRET, Math.floor(sent / 1000)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });

    let state: string | undefined;
    // Observing another process: look at the database until the state shows up (bounded).
    while (Date.now() - sent < 5_000) {
      state = readDb<{ state: string }>("select state from objects where asset_id = ?", asset.id)?.state;
      if (state === "ready") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsed = Date.now() - sent;
    expect(state).toBe("ready");
    expect(elapsed).toBeLessThan(1_000);
    console.log(`webhook → ready in ${elapsed} ms`);
  });

  it("answers 401 to a wrongly signed webhook and leaves no trace but a log line", async () => {
    const body = JSON.stringify({
      type: "video.asset.ready",
      id: "e2e-forged",
      data: { id: "forged-asset" },
    });
    const res = await postWebhook(body, muxSignature(body, "not-the-secret", Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(401);
    expect(readDb("select * from webhook_events where id = ?", "e2e-forged")).toBeUndefined();
    expect(readDb("select * from jobs where idempotency_key like ?", "%forged-asset%")).toBeUndefined();
    expect(readDb("select * from objects where asset_id = ?", "forged-asset")).toBeUndefined();
    await expect.poll(() => serve.lines.some((l) => l.includes("Webhook signature rejected"))).toBe(true);
  });

  it("stops gracefully on SIGTERM with exit code 0, without waiting out the shutdown grace period", async () => {
    const started = Date.now();
    expect(await serve.stop("SIGTERM")).toBe(0);
    // Regression: the unused 10 s grace timer used to keep the process alive after shutdown.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(serve.lines.some((l) => l.includes('"mux-ingest stopped"'))).toBe(true);
  });
});
