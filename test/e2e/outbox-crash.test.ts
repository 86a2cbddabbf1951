/**
 * The outbox promise: a state change and its delivery are one write, so killing the process
 * between "the object is ready" and "the pipeline has it" still delivers after a restart — with
 * the same delivery id, so the pipeline can deduplicate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { verifyStandardWebhook } from "../helpers/pipeline-receiver";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const TOKEN_ID = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
const PIPELINE_SECRET = "whsec_b3V0Ym94LWNyYXNoLXRlc3Qtc2VjcmV0";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

type Received = { id: string; verified: boolean; answered: boolean };

function startPipeline(holdFirst: { onHeld: () => void }) {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      const verified = verifyStandardWebhook(
        PIPELINE_SECRET,
        {
          id,
          timestamp: String(req.headers["webhook-timestamp"]),
          signature: String(req.headers["webhook-signature"]),
        },
        body,
      );
      if (received.length === 0) {
        // Never answered: the service dies while this delivery is in flight.
        received.push({ id, verified, answered: false });
        held.push(res);
        holdFirst.onHeld();
        return;
      }
      received.push({ id, verified, answered: true });
      res.writeHead(200).end("ok");
    });
  });
  return new Promise<{ url: string; received: Received[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/hooks`,
        received,
        close: () =>
          new Promise<void>((done) => {
            for (const res of held) res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

describe("outbox across a crash", () => {
  it("delivers after SIGKILL between the state change and the delivery, with the same delivery id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mux-ingest-outbox-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const fake: RunningFakeMux = await startFakeMux({
      tokenId: TOKEN_ID,
      tokenSecret: "outbox-secret",
      webhookUrl: null,
    });
    cleanup.push(() => fake.close());
    const asset = fake.fake.createAsset({ status: "ready", mp4Support: "standard" });

    let heldNow: () => void = () => {};
    const held = new Promise<void>((r) => {
      heldNow = r;
    });
    const pipeline = await startPipeline({ onHeld: () => heldNow() });
    cleanup.push(() => pipeline.close());

    const env = {
      MUX_TOKEN_ID: TOKEN_ID,
      MUX_TOKEN_SECRET: "outbox-secret",
      MUX_BASE_URL: fake.url,
      MUX_STREAM_BASE_URL: fake.streamBaseUrl,
      DATABASE_PATH: join(dir, "db.sqlite"),
      PIPELINE_URL: pipeline.url,
      PIPELINE_SECRET,
      JOB_LEASE_SECONDS: "5",
      POLLING_INTERVAL_SECONDS: "86400",
    };
    const first: ServeProcess = await startServe(env);
    await held;
    const db = new Database(join(dir, "db.sqlite"), { readonly: true });
    cleanup.push(() => db.close());
    expect(db.prepare("select state from objects where asset_id = ?").get(asset.id)).toEqual({
      state: "ready",
    });
    expect(db.prepare("select status from deliveries").get()).toEqual({ status: "pending" });
    expect(await first.stop("SIGKILL")).toBeNull();

    const second = await startServe(env);
    cleanup.push(() => second.stop());
    const deadline = Date.now() + 45_000;
    const state = () =>
      (db.prepare("select state from objects where asset_id = ?").get(asset.id) as { state: string }).state;
    while (state() !== "delivered" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(state()).toBe("delivered");
    expect(pipeline.received.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pipeline.received.map((r) => r.id)).size).toBe(1);
    expect(pipeline.received.every((r) => r.verified)).toBe(true);
    expect(db.prepare("select status, attempts from deliveries").get()).toMatchObject({
      status: "delivered",
    });
  }, 90_000);
});
