/**
 * The database misbehaves under a running service: locked by another process, full, read-only.
 * Each time, webhooks are answered 5xx (so Mux retries them), nothing is half-written (an event
 * never exists without its job, nor a job without its event), and once the condition clears the
 * same process, without a restart, accepts Mux's retries and finishes the work.
 *
 * The service is the real Node composition (`openNode` on a file, as `serve` builds it);
 * Mux is the fake, reached through msw; time is real (the conditions are about wall clock locks).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env";
import { createFakeMux, type FakeMux } from "../../src/fake-mux/index";
import type { createApp } from "../../src/http/app";
import { openNode } from "../../src/node/open-node";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { TEST_TOKEN_ID, TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { network } from "../helpers/no-network";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

type Node = Awaited<ReturnType<typeof openNode>>;

let dir: string;
let dbPath: string;
let node: Node;
let app: ReturnType<typeof createApp>;
let fake: FakeMux;
let other: Database.Database;
const logs: string[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-recovery-db-"));
  dbPath = join(dir, "mux-ingest.db");
  fake = createFakeMux({
    tokenId: TEST_TOKEN_ID,
    tokenSecret: TEST_TOKEN_SECRET,
    webhookSecret: TEST_WEBHOOK_SECRET,
    webhookUrl: null,
    rateLimit: null,
    signingKey: { id: "k", privateKeyBase64: "unused" },
  });
  network.use(...fakeMuxHandlers(fake));
  const config = parseEnv({
    MUX_TOKEN_ID: TEST_TOKEN_ID,
    MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    DATABASE_PATH: dbPath,
    ENCRYPTION_KEY: "recovery-suite-encryption-key-0123456789",
    POLLING_INTERVAL_SECONDS: "3600",
  });
  logs.length = 0;
  node = await openNode(config, { logLevel: "debug", logWrite: (l) => logs.push(l) });
  // A webhook must not hang on a lock for long: Mux gives up on an attempt after 5 s.
  node.database.sqlite.pragma("busy_timeout = 50");
  app = node.app;
  other = new Database(dbPath);
  other.pragma("busy_timeout = 0");
});

afterEach(async () => {
  // Failures were logged (locked, full, read-only): none of those lines may carry a secret.
  const secrets = [TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET, "recovery-suite-encryption-key-0123456789"];
  expect(logs.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  await node.runner.stop(1_000);
  if (other.open) {
    if (other.inTransaction) other.exec("ROLLBACK");
    other.close();
  }
  node.database.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Signed `video.asset.ready` webhooks for fresh ready assets (bodies kept, to replay as Mux would). */
function readyWebhooks(count: number) {
  return Array.from({ length: count }, () => {
    const asset = fake.createAsset({ status: "ready", mp4Support: "capped-1080p" });
    const body = JSON.stringify(muxEvent("video.asset.ready", { id: asset.id, status: "ready" }));
    return { assetId: asset.id, body };
  });
}

function deliver(hooks: Array<{ body: string }>) {
  return Promise.all(
    hooks.map(({ body }) =>
      app.request("/webhooks/mux", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
        },
        body,
      }),
    ),
  );
}

/** Read through the other connection: what is durably in the file. */
function durable() {
  const count = (sql: string) => (other.prepare(sql).get() as { n: number }).n;
  return {
    events: count("SELECT COUNT(*) AS n FROM webhook_events WHERE outcome <> 'ballast'"),
    jobs: count("SELECT COUNT(*) AS n FROM jobs WHERE type = 'ingest'"),
    // An event that says it enqueued work but has no job: a half-written webhook.
    orphanEvents: count(`SELECT COUNT(*) AS n FROM webhook_events e WHERE e.outcome = 'enqueued'
      AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.idempotency_key = 'ingest:syn_default:' || e.asset_id)`),
  };
}

/** After the condition clears: Mux's retries are accepted and the work finishes, in the same process. */
async function expectRecovery(hooks: Array<{ assetId: string; body: string }>) {
  const retried = await deliver(hooks);
  for (const res of retried) {
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
  }
  expect(durable()).toEqual({ events: hooks.length, jobs: hooks.length, orphanEvents: 0 });
  await node.runner.drain({ timeoutMs: 15_000 });
  const states = other.prepare("SELECT asset_id, state FROM objects ORDER BY asset_id").all() as Array<{
    asset_id: string;
    state: string;
  }>;
  expect(states.sort(byAssetId)).toEqual(
    hooks.map((h) => ({ asset_id: h.assetId, state: "ready" })).sort(byAssetId),
  );
  expect((await app.request("/readyz")).status).toBe(200);
}

function byAssetId(a: { asset_id: string }, b: { asset_id: string }): number {
  return a.asset_id < b.asset_id ? -1 : a.asset_id > b.asset_id ? 1 : 0;
}

async function expectRefusedWithRetryableStatus(hooks: Array<{ body: string }>) {
  const answers = await deliver(hooks);
  for (const res of answers) {
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("INTERNAL");
  }
  expect(durable()).toEqual({ events: 0, jobs: 0, orphanEvents: 0 });
}

describe("the database is unavailable for writes, then comes back", () => {
  it("locked by another process: 5xx while the lock is held, nothing written, then the retries succeed", async () => {
    const hooks = readyWebhooks(5);
    other.exec("BEGIN EXCLUSIVE");
    await expectRefusedWithRetryableStatus(hooks);
    // The job runner meets the same lock and survives it (no crash, no lost job).
    await expect(node.deps.jobs.claim()).rejects.toThrow(/locked|busy/i);
    other.exec("COMMIT");
    await expectRecovery(hooks);
  });

  it("full (no page left): 5xx, nothing half-written, then the retries succeed once space is freed", async () => {
    const sqlite = node.database.sqlite;
    const pages = Number(sqlite.pragma("page_count", { simple: true }));
    sqlite.pragma(`max_page_count = ${pages + 2}`);
    // Fill the pages events are written to, down to the last bytes, through the service's own
    // connection (the limit is per connection): the next event cannot get a page.
    const ballast =
      sqlite.prepare(`INSERT INTO webhook_events (id, connection_id, type, outcome, nonce, received_at)
                                    VALUES ('ballast-' || hex(randomblob(8)), 'x', hex(randomblob(?)), 'ballast', 'n', 0)`);
    for (const size of [1_000, 100, 10, 1]) {
      expect(() => {
        for (let i = 0; i < 100_000; i++) ballast.run(size);
      }).toThrow(/full/i);
    }
    const hooks = readyWebhooks(5);
    await expectRefusedWithRetryableStatus(hooks);
    // Space comes back (an operator frees some): no restart needed.
    sqlite.exec("DELETE FROM webhook_events WHERE outcome = 'ballast'");
    sqlite.pragma("max_page_count = 1073741823");
    await expectRecovery(hooks);
  });

  it("read-only: 5xx while writes are refused, then the retries succeed once it is writable again", async () => {
    // As root a chmod would not stop writes, so the connection is made read-only the SQLite way:
    // every write now fails with SQLITE_READONLY, as on a file system remounted read-only.
    const hooks = readyWebhooks(5);
    node.database.sqlite.pragma("query_only = ON");
    await expectRefusedWithRetryableStatus(hooks);
    expect((await app.request("/readyz")).status).toBe(200);
    node.database.sqlite.pragma("query_only = OFF");
    await expectRecovery(hooks);
  });

  it("fails only the webhook whose write fails when it shares a group commit with others", async () => {
    // A trigger refuses the job of one asset: its webhook gets 5xx and leaves no event; the
    // webhooks committed in the same group are unaffected.
    const hooks = readyWebhooks(4);
    const victim = hooks[2]?.assetId ?? "";
    other.exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON jobs WHEN NEW.idempotency_key LIKE '%${victim}'
                BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const answers = await deliver(hooks);
    expect(answers.map((res) => res.status)).toEqual([200, 200, 500, 200]);
    expect(durable()).toEqual({ events: 3, jobs: 3, orphanEvents: 0 });
    other.exec("DROP TRIGGER refuse_one");
    const retried = await deliver(hooks);
    expect(retried.map((res) => res.status)).toEqual([200, 200, 200, 200]);
    expect(durable()).toEqual({ events: 4, jobs: 4, orphanEvents: 0 });
  });
});
