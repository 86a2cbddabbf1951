/**
 * SIGTERM on a busy `mux-ingest serve`: it stops accepting connections at once, lets the webhook
 * being received finish (answered 200 and durably recorded), lets a short job finish, releases a
 * job that outlives the shutdown grace (so another process takes it at once, its attempt not
 * counted), and exits 0 within a bound.
 *
 * Barriers, not sleeps: each step waits for evidence in the database or on the wire (a job shown
 * running, the server's `100 Continue` proving it parsed a request's headers).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { type ServeProcess, startServe } from "../helpers/serve-process";
import { muxSignature } from "../helpers/sign-mux";

const TOKEN_ID = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const TOKEN_SECRET = "sigterm-token-secret";
const WEBHOOK_SECRET = "sigterm-webhook-secret";
const PIPELINE_SECRET = "whsec_c2lndGVybS1waXBlbGluZS1zZWNyZXQtMTIzNA==";
/**
 * node.ts gives in-flight jobs 10 s; the bound adds room for a slow, shared machine, and stays
 * below the 15 s the hanging delivery would take to time out (regression: it used to hold the
 * process open until then).
 */
const EXIT_BOUND_MS = 14_000;

const dir = mkdtempSync(join(tmpdir(), "mux-ingest-sigterm-"));
const dbPath = join(dir, "mux-ingest.db");
let fake: RunningFakeMux | undefined;
let serve: ServeProcess | undefined;
let pipeline: Server | undefined;

afterAll(async () => {
  await serve?.stop("SIGKILL");
  pipeline?.closeAllConnections();
  await new Promise<void>((done) => (pipeline ? pipeline.close(() => done()) : done()));
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Observing another process: look until `check` holds, or fail at the deadline. */
async function until(what: string, check: () => boolean, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function webhookBody(assetId: string, eventId: string): string {
  const asset = fake?.fake.getAsset(assetId);
  return JSON.stringify({
    type: "video.asset.ready",
    id: eventId,
    object: { type: "asset", id: assetId },
    environment: { id: "fk3nv1", name: "Fake Development" },
    data: { ...asset, created_at: Number(asset?.created_at) },
    created_at: new Date().toISOString(),
    attempts: [],
  });
}

function signedHeaders(body: string) {
  return {
    "content-type": "application/json",
    "mux-signature": muxSignature(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
  };
}

function connectionRefused(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then(
    () => false,
    () => true,
  );
}

describe("SIGTERM on a busy service", () => {
  it("stops accepting, finishes the webhook in flight, finishes or releases jobs, and exits 0", async () => {
    // Mux answers slowly (ingest jobs stay in flight for a while); the pipeline never answers.
    fake = await startFakeMux({
      tokenId: TOKEN_ID,
      tokenSecret: TOKEN_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      webhookUrl: null,
      rateLimit: null,
    });
    const hanging = createServer(() => {
      // Never answers: the delivery job outlives the shutdown grace.
    });
    pipeline = hanging;
    await new Promise<void>((done) => hanging.listen(0, "127.0.0.1", done));
    serve = await startServe({
      MUX_TOKEN_ID: TOKEN_ID,
      MUX_TOKEN_SECRET: TOKEN_SECRET,
      MUX_WEBHOOK_SECRET: WEBHOOK_SECRET,
      MUX_BASE_URL: fake.url,
      MUX_STREAM_BASE_URL: fake.streamBaseUrl,
      DATABASE_PATH: dbPath,
      PIPELINE_URL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hooks`,
      PIPELINE_SECRET,
      POLLING_INTERVAL_SECONDS: "3600",
      LOG_LEVEL: "info",
    });
    const url = serve.url;

    // A: ingested, then its delivery hangs on the pipeline.
    const a = fake.fake.createAsset({ status: "ready", mp4Support: "standard" });
    const bodyA = webhookBody(a.id, "sigterm-a");
    expect(
      (await fetch(`${url}/webhooks/mux`, { method: "POST", body: bodyA, headers: signedHeaders(bodyA) }))
        .status,
    ).toBe(200);
    const runningDelivery = () =>
      query("SELECT 1 FROM jobs WHERE type = 'deliver' AND status = 'running'").length === 1;
    await until("A's delivery to be in flight", runningDelivery);

    // B: its ingest job is in flight (Mux slow) when the signal comes.
    fake.fake.setFaults({ latencyMs: 2_500 });
    const b = fake.fake.createAsset({ status: "ready", mp4Support: "standard" });
    const bodyB = webhookBody(b.id, "sigterm-b");
    expect(
      (await fetch(`${url}/webhooks/mux`, { method: "POST", body: bodyB, headers: signedHeaders(bodyB) }))
        .status,
    ).toBe(200);
    await until(
      "B's ingest job to be running",
      () =>
        query("SELECT 1 FROM jobs WHERE idempotency_key LIKE ? AND status = 'running'", `%${b.id}`).length ===
        1,
    );

    // C: a webhook whose body is still arriving. `100 Continue` proves the server parsed its headers.
    const c = fake.fake.createAsset({ status: "ready", mp4Support: "standard" });
    const bodyC = webhookBody(c.id, "sigterm-c");
    const target = new URL(`${url}/webhooks/mux`);
    const inFlight = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: "POST",
      headers: {
        ...signedHeaders(bodyC),
        "content-length": Buffer.byteLength(bodyC),
        expect: "100-continue",
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      inFlight.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      inFlight.on("error", reject);
    });
    await new Promise<void>((resolve) => inFlight.once("continue", resolve));
    const half = Math.floor(bodyC.length / 2);
    inFlight.write(bodyC.slice(0, half));

    const signalled = Date.now();
    const exited = serve.stop("SIGTERM");
    // Observing another process: connect until refused (bounded).
    let refusedSeen = false;
    const deadline = Date.now() + 10_000;
    while (!refusedSeen && Date.now() < deadline) refusedSeen = await connectionRefused(url);
    expect(refusedSeen, "new connections are refused after SIGTERM").toBe(true);

    inFlight.end(bodyC.slice(half));
    const answer = await answered;
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ received: true, duplicate: false }) });

    const lines = serve.lines;
    expect(await exited).toBe(0);
    const elapsed = Date.now() - signalled;
    expect(elapsed).toBeLessThan(EXIT_BOUND_MS);
    serve = undefined;

    // At rest: nothing leased; B finished within the grace; A's delivery was given back whole.
    expect(query("SELECT id FROM jobs WHERE status = 'running'")).toEqual([]);
    expect(query<{ state: string }>("SELECT state FROM objects WHERE asset_id = ?", b.id)).toEqual([
      { state: "ready" },
    ]);
    // Every delivery job (A's, and those of B and C once ingested) was given back whole: pending,
    // its interrupted attempt not counted, its outbox row still pending.
    const deliveries = query<{ status: string; attempts: number }>(
      "SELECT status, attempts FROM jobs WHERE type = 'deliver'",
    );
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    for (const job of deliveries) expect(job).toEqual({ status: "pending", attempts: 0 });
    expect(new Set(query<{ status: string }>("SELECT status FROM deliveries").map((d) => d.status))).toEqual(
      new Set(["pending"]),
    );
    expect(lines.some((line) => line.includes("Released a job still running at shutdown"))).toBe(true);
    // C was recorded with its job before it was answered.
    expect(query("SELECT id FROM webhook_events WHERE id = 'sigterm-c'")).toHaveLength(1);
    expect(query("SELECT id FROM jobs WHERE idempotency_key LIKE ?", `%${c.id}`)).toHaveLength(1);
    expect(query<{ integrity_check: string }>("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    console.log(`SIGTERM → exit 0 in ${elapsed} ms`);
  }, 90_000);
});
