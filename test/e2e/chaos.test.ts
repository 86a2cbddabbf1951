/**
 * Chaos: "nothing lost, nothing forged" under the failures real webhook consumers suffer.
 *
 * Real processes on loopback:
 * - `mux-ingest serve` as a child process on a file database, SIGKILLed at random moments and
 *   restarted on the same database and port;
 * - the fake Mux on a real port, served from this test process: it is the world, not the system
 *   under test, and keeping it here lets the test upload assets, change faults mid-run (429
 *   bursts) and read its exact counters without a control protocol. It never dies with serve,
 *   which is also how Mux behaves;
 * - a pipeline on a real port (also here) that verifies every Standard Webhooks signature and
 *   records what it processed, while failing, dropping answers and timing out.
 *
 * Faults: webhooks dropped 30 %, duplicated 20 %, reordered and delayed; Mux API 5 % 5xx plus
 * 429 bursts; pipeline 10 % 5xx, some lost answers and a few real timeouts.
 *
 * Then, once the database shows convergence (polled with a generous deadline), it asserts the
 * promises and writes the figures to test-results/chaos.json for RELIABILITY.md.
 * Replay a run with CHAOS_SEED=<printed seed>.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMIT, type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { freePort, type ObjectRow, ServiceDatabaseReader } from "../helpers/chaos-db";
import type { ChaosFigures } from "../helpers/chaos-figures";
import { type Expectation, expectationFor, liveUploadSpecs } from "../helpers/chaos-library";
import { ChaosPipeline } from "../helpers/chaos-pipeline";
import { chaosRandom } from "../helpers/chaos-random";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 1_000_000_000));
const ASSETS = 200;
const UPLOAD_WINDOW_MS = 36_000;
const CONVERGE_DEADLINE_MS = 150_000;

const TOKEN_ID = "5f0c7a2e-3b1d-4c8e-9a6f-7e2d1c0b9a8f";
const TOKEN_SECRET = "chaos-token-secret-0123456789";
const WEBHOOK_SECRET = "chaos-webhook-secret-abcdef";
const PIPELINE_SECRET = "whsec_Y2hhb3MtcGlwZWxpbmUtc2VjcmV0LTEyMzQ1Njc4OTA=";

const SERVE_SETTINGS = {
  POLLING_INTERVAL_SECONDS: "10",
  RENDITION_GRACE_SECONDS: "5",
  JOB_LEASE_SECONDS: "10",
  JOB_MAX_ATTEMPTS: "8",
  WORKER_CONCURRENCY: "4",
};
const WEBHOOK_FAULTS = { dropRate: 0.3, duplicateRate: 0.2, reorder: true, maxDelayMs: 2_000 };
const API_ERROR_RATE = 0.05;
const PIPELINE_FAULTS = { errorRate: 0.1, lostAnswerRate: 0.03, hangRate: 0.02, maxHangs: 3, hangMs: 16_000 };

const random = chaosRandom(SEED);
const dir = mkdtempSync(join(tmpdir(), "mux-ingest-chaos-"));
const dbPath = join(dir, "mux-ingest.db");
let fake: RunningFakeMux | undefined;
let pipeline: ChaosPipeline | undefined;
let serve: ServeProcess | undefined;

afterAll(async () => {
  await serve?.stop("SIGKILL");
  await pipeline?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Timeline actions, run in order at their offset from the start of the upload window. */
type Action = { at: number; run: () => void };

describe("chaos: webhooks dropped, duplicated and reordered; Mux and the pipeline failing; serve SIGKILLed", () => {
  it("delivers every eligible asset exactly once per state change, and explains every other one", async () => {
    console.log(`chaos seed ${SEED} (replay with CHAOS_SEED=${SEED})`);
    const port = await freePort();
    fake = await startFakeMux({
      seed: SEED,
      tokenId: TOKEN_ID,
      tokenSecret: TOKEN_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      webhookUrl: `http://127.0.0.1:${port}/webhooks/mux`,
      faults: { ...WEBHOOK_FAULTS, errorRate: API_ERROR_RATE },
      rateLimit: DEFAULT_RATE_LIMIT,
    });
    pipeline = new ChaosPipeline(PIPELINE_SECRET, random, PIPELINE_FAULTS);
    const pipelineUrl = await pipeline.start();
    const env = {
      MUX_TOKEN_ID: TOKEN_ID,
      MUX_TOKEN_SECRET: TOKEN_SECRET,
      MUX_WEBHOOK_SECRET: WEBHOOK_SECRET,
      MUX_SIGNING_KEY: fake.fake.signingKey.id,
      MUX_PRIVATE_KEY: fake.fake.signingKey.privateKeyBase64,
      MUX_BASE_URL: fake.url,
      MUX_STREAM_BASE_URL: fake.streamBaseUrl,
      DATABASE_PATH: dbPath,
      PIPELINE_URL: pipelineUrl,
      PIPELINE_SECRET,
      ENCRYPTION_KEY: "chaos-encryption-key-0123456789abcdef",
      PORT: String(port),
      // info: the "listening" line is how the helper knows serve is up.
      LOG_LEVEL: "info",
      ...SERVE_SETTINGS,
    };
    serve = await startServe(env, 60_000);
    // Every log line of every incarnation of the service, checked for secrets at the end.
    const logLines: string[][] = [serve.lines];
    const started = Date.now();

    // The timeline: uploads spread over the window, 429 bursts, and SIGKILLs at random moments.
    const specs = liveUploadSpecs(ASSETS, SEED, random);
    const uploadedIds: string[] = [];
    const killedAt: number[] = [];
    let bursts = 0;
    const actions: Action[] = specs.map((spec, i) => ({
      at: Math.round((i / ASSETS) * UPLOAD_WINDOW_MS + random.int(0, 80)),
      run: () => {
        uploadedIds.push(fake?.fake.createAsset(spec).id ?? "");
      },
    }));
    for (let at = random.int(2_000, 5_000); at < UPLOAD_WINDOW_MS + 8_000; at += random.int(5_000, 8_000)) {
      actions.push({
        at,
        run: () => {
          bursts++;
          fake?.fake.setRateLimit({ perSecond: 1, burst: 1 });
        },
      });
      actions.push({
        at: at + random.int(1_000, 2_500),
        run: () => fake?.fake.setRateLimit(DEFAULT_RATE_LIMIT),
      });
    }
    const kill = async () => {
      killedAt.push(Date.now() - started);
      await serve?.stop("SIGKILL");
      // Down for a moment: Mux's webhook retries and the poller must cover the gap.
      await pause(random.int(200, 1_500));
      serve = await startServe(env, 60_000);
      logLines.push(serve.lines);
    };
    const killMoments = [
      random.int(0.15 * UPLOAD_WINDOW_MS, 0.45 * UPLOAD_WINDOW_MS),
      random.int(0.55 * UPLOAD_WINDOW_MS, 0.9 * UPLOAD_WINDOW_MS),
      UPLOAD_WINDOW_MS + random.int(500, 4_000),
    ];
    // A restart takes seconds: uploads go on meanwhile (Mux does not wait for us).
    const restarts: Array<Promise<void>> = [];
    for (const at of killMoments) actions.push({ at, run: () => void restarts.push(kill()) });
    actions.sort((a, b) => a.at - b.at);
    for (const action of actions) {
      const wait = started + action.at - Date.now();
      if (wait > 0) await pause(wait);
      action.run();
    }
    await Promise.all(restarts);
    const uploadsDone = started + UPLOAD_WINDOW_MS;
    const lastKill = started + Math.max(...killedAt);

    // Convergence: observe the database until every asset has its expected outcome and the
    // queue is empty (a deadline, not a speed assertion).
    const reader = new ServiceDatabaseReader(dbPath);
    let expectations = new Map<string, Expectation>();
    let converged = false;
    const deadline = Date.now() + CONVERGE_DEADLINE_MS;
    while (Date.now() < deadline) {
      expectations = new Map(fake.fake.listAssets().map((asset) => [asset.id, expectationFor(asset)]));
      const objects = new Map(reader.objects().map((row) => [row.asset_id, row]));
      const queue = reader.queue();
      const pendingDeliveries = reader.count("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'");
      if (
        queue.pending === 0 &&
        queue.running === 0 &&
        pendingDeliveries === 0 &&
        [...expectations].every(([assetId, expected]) => matches(objects.get(assetId), expected))
      ) {
        converged = true;
        break;
      }
      await pause(250);
    }
    const convergedAt = Date.now();
    if (!converged) reportStragglers(reader, expectations);
    reader.close();
    expect(converged, "the service converged before the deadline").toBe(true);

    // A graceful stop at the end; then the file is examined at rest.
    expect(await serve.stop("SIGTERM")).toBe(0);
    serve = undefined;
    const db = new ServiceDatabaseReader(dbPath);
    const objects = new Map(db.objects().map((row) => [row.asset_id, row]));
    const integrity = db.integrityCheck();
    const queue = db.queue();
    const deliveredIds = db.all<{ id: string; object_id: string; type: string }>(
      "SELECT id, object_id, type FROM deliveries WHERE status = 'delivered'",
    );
    const recordedEvents = db.count("SELECT COUNT(*) AS n FROM webhook_events");
    const repaired = db.count("SELECT COALESCE(SUM(repaired), 0) AS n FROM runs");
    const failedDeliveries = db.count("SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'");
    db.close();

    // No corruption, nothing leased, nothing waiting, nothing dead.
    expect(integrity).toEqual(["ok"]);
    expect(queue).toEqual({ pending: 0, running: 0, dead: 0 });
    expect(failedDeliveries).toBe(0);

    // Every upload is known to Mux and judged: delivered, or skipped with its reason and a message.
    expect(expectations.size).toBe(ASSETS);
    for (const id of uploadedIds) expect(expectations.has(id)).toBe(true);
    const eligible = [...expectations].filter(([, e]) => e.deliver).map(([id]) => id);
    for (const [assetId, expected] of expectations) {
      const object = objects.get(assetId);
      if (expected.deliver) {
        expect(object?.state, `asset ${assetId}`).toBe("delivered");
      } else {
        expect({ state: object?.state, reason: object?.reason }, `asset ${assetId}`).toEqual({
          state: "skipped",
          reason: expected.reason,
        });
        expect(object?.message?.length ?? 0).toBeGreaterThan(0);
      }
    }

    // Nothing forged reached the pipeline, and each delivery id is one object and one state change.
    const processed = pipeline.processed;
    const byId = pipeline.byId();
    expect(pipeline.counters.forged).toBe(0);
    for (const [id, copies] of byId) {
      const first = copies[0];
      for (const copy of copies) {
        expect({ ...copy, receivedAt: 0 }, `delivery ${id}`).toEqual({ ...first, receivedAt: 0 });
      }
      expect(id.startsWith(`${first?.objectId}.v`), `delivery id ${id} names its object`).toBe(true);
    }
    // Per object and change type, exactly one delivery id: a duplicate only ever repeats an id.
    const idsPerChange = new Map<string, Set<string>>();
    for (const delivery of processed) {
      const change = `${delivery.objectId}/${delivery.type}`;
      idsPerChange.set(change, (idsPerChange.get(change) ?? new Set()).add(delivery.id));
    }
    for (const [change, ids] of idsPerChange) expect([...ids], change).toHaveLength(1);
    // The pipeline processed exactly the eligible assets, each under the id the outbox recorded.
    const readyAssets = new Set(processed.filter((d) => d.type === "object.ready").map((d) => d.assetId));
    expect([...readyAssets].sort()).toEqual([...eligible].sort());
    for (const delivery of deliveredIds) expect(byId.has(delivery.id), delivery.id).toBe(true);
    expect(deliveredIds.length).toBe(byId.size);

    // No secret reached a log line, in any incarnation of the service (killed ones included).
    const secrets = [TOKEN_SECRET, WEBHOOK_SECRET, PIPELINE_SECRET, env.ENCRYPTION_KEY, env.MUX_PRIVATE_KEY];
    const lines = logLines.flat();
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(lines.filter((line) => line.includes(secret))).toEqual([]);

    const serviceErrors: Record<string, number> = {};
    for (const line of lines) {
      if (!line.includes('"level":"error"')) continue;
      const message = String((JSON.parse(line) as { msg?: unknown }).msg);
      serviceErrors[message] = (serviceErrors[message] ?? 0) + 1;
    }

    const stats = fake.fake.stats();
    const skipped: Record<string, number> = {};
    for (const [, expected] of expectations) {
      if (!expected.deliver) skipped[expected.reason] = (skipped[expected.reason] ?? 0) + 1;
    }
    const figures: ChaosFigures = {
      seed: SEED,
      finishedAt: new Date().toISOString(),
      assets: { created: ASSETS, eligible: eligible.length, delivered: readyAssets.size, skipped },
      webhooks: {
        emitted: stats.webhooks.emitted,
        sent: stats.webhooks.sent,
        dropped: stats.webhooks.dropped,
        duplicated: stats.webhooks.duplicated,
        failedAttempts: stats.webhooks.failed,
        gaveUp: stats.webhooks.gaveUp,
        recordedEvents,
      },
      kills: { sigkill: killedAt.length, atSeconds: killedAt.map((ms) => round1(ms / 1000)) },
      muxApi: {
        listCalls: stats.listCalls,
        retrieveCalls: stats.retrieveCalls,
        injected5xx: stats.injectedErrors,
        rateLimited429: stats.rateLimited,
        rateLimitBursts: bursts,
      },
      pipeline: {
        requests: pipeline.counters.requests,
        injected5xx: pipeline.counters.injected5xx,
        lostAnswers: pipeline.counters.lostAnswers,
        timeouts: pipeline.counters.hangs,
        processed: processed.length,
        distinctDeliveryIds: byId.size,
        duplicatesSameId: processed.length - byId.size,
        forged: pipeline.counters.forged,
      },
      repairedByPoller: repaired,
      serviceErrors,
      convergeSeconds: {
        afterLastUpload: round1((convergedAt - uploadsDone) / 1000),
        afterLastKill: round1((convergedAt - lastKill) / 1000),
        total: round1((convergedAt - started) / 1000),
      },
      invariants: {
        jobsPendingOrRunning: queue.pending + queue.running,
        deadLetter: queue.dead,
        integrityCheck: integrity.join(", "),
        logLinesCheckedForSecrets: lines.length,
        secretsInLogs: 0,
      },
      settings: {
        assets: ASSETS,
        uploadWindowSeconds: UPLOAD_WINDOW_MS / 1000,
        webhookDropRate: WEBHOOK_FAULTS.dropRate,
        webhookDuplicateRate: WEBHOOK_FAULTS.duplicateRate,
        webhookReorderMaxDelayMs: WEBHOOK_FAULTS.maxDelayMs,
        apiErrorRate: API_ERROR_RATE,
        pipelineErrorRate: PIPELINE_FAULTS.errorRate,
        pipelineLostAnswerRate: PIPELINE_FAULTS.lostAnswerRate,
        pipelineTimeouts: `${PIPELINE_FAULTS.hangRate} (at most ${PIPELINE_FAULTS.maxHangs})`,
        ...SERVE_SETTINGS,
      },
    };
    const resultsDir = resolve(import.meta.dirname, "../../test-results");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, "chaos.json"), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`chaos figures:\n${JSON.stringify(figures, null, 2)}`);
  }, 300_000);
});

function matches(object: ObjectRow | undefined, expected: Expectation): boolean {
  if (!object) return false;
  if (expected.deliver) return object.state === "delivered";
  return object.state === "skipped" && object.reason === expected.reason;
}

function reportStragglers(reader: ServiceDatabaseReader, expectations: Map<string, Expectation>): void {
  const objects = new Map(reader.objects().map((row) => [row.asset_id, row]));
  const stragglers = [...expectations]
    .filter(([id, expected]) => !matches(objects.get(id), expected))
    .slice(0, 20)
    .map(([id, expected]) => ({ id, expected, actual: objects.get(id) ?? null }));
  console.log("not converged:", JSON.stringify({ queue: reader.queue(), stragglers }, null, 2));
  console.log(
    "jobs:",
    JSON.stringify(
      reader.all(
        "SELECT type, idempotency_key, status, attempts, last_error FROM jobs WHERE status <> 'done'",
      ),
      null,
      2,
    ),
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
