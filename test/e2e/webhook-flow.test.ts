/**
 * Real ports: the fake Mux fires webhooks at `mux-ingest serve`, with duplicates and reordering;
 * the poller is far away, so webhooks alone must take every asset to its final state.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const TOKEN_ID = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const TOKEN_SECRET = "flow-token-secret";
const WEBHOOK_SECRET = "flow-webhook-secret";

let fake: RunningFakeMux;
let serve: ServeProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-flow-"));
  fake = await startFakeMux({
    seed: 3,
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: null,
    lifecycle: { readyAfterMs: 300, renditionsAfterMs: 600 },
    faults: { duplicateRate: 0.5, reorder: true, maxDelayMs: 800 },
  });
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: WEBHOOK_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: join(dir, "db.sqlite"),
    POLLING_INTERVAL_SECONDS: "86400",
  });
  fake.fake.setWebhookUrl(`${serve.url}/webhooks/mux`);
});

afterAll(async () => {
  await serve?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("webhooks alone, duplicated and reordered", () => {
  it("take every created asset to ready, each event recorded once", async () => {
    const assets = Array.from({ length: 20 }, (_, i) =>
      fake.fake.createAsset(
        i % 2 === 0 ? { mp4Support: "standard" } : { staticRenditions: ["highest", "720p"] },
      ),
    );
    const db = new Database(join(dir, "db.sqlite"), { readonly: true });
    try {
      const deadline = Date.now() + 30_000;
      const readyCount = () =>
        (db.prepare("select count(*) as n from objects where state = 'ready'").get() as { n: number }).n;
      while (readyCount() < assets.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(readyCount()).toBe(assets.length);
      const stats = fake.fake.stats().webhooks;
      expect(stats.duplicated).toBeGreaterThan(0);
      const distinct = new Set(fake.fake.eventLog().map((e) => e.id)).size;
      // Let in-flight duplicates land, then compare: each distinct event is one row.
      while (stats.sent < stats.emitted + stats.duplicated && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        Object.assign(stats, fake.fake.stats().webhooks);
      }
      const rows = (db.prepare("select count(*) as n from webhook_events").get() as { n: number }).n;
      expect(rows).toBe(distinct);
      const jobs = db.prepare("select count(*) as n from jobs where type = 'ingest'").get() as { n: number };
      expect(jobs.n).toBe(assets.length);
      // Only the start-up pass listed the library, while it was still empty: webhooks did the rest.
      expect(fake.fake.stats().listCalls).toBeLessThanOrEqual(1);
    } finally {
      db.close();
    }
  });
});
