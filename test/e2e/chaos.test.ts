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
 * The library changes meanwhile, as a Mux library does: metadata edits, static renditions added
 * and deleted, legacy MP4 support switched off and on, assets deleted; the operator changes the
 * sync's filters twice; serve restarts once with the token of another environment, then with
 * the right one again.
 *
 * Then, once the database and the pipeline show convergence (polled with a generous deadline),
 * it asserts the promises (the mirror invariant first) and writes the figures to
 * test-results/chaos.json for RELIABILITY.md.
 * Replay a run with CHAOS_SEED=<printed seed>.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMIT, type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { LibraryChanges, operatorRequest } from "../helpers/chaos-changes";
import {
  type Convergence,
  convergence,
  reportStragglers,
  type WorldAtEnd,
} from "../helpers/chaos-convergence";
import { freePort, ServiceDatabaseReader } from "../helpers/chaos-db";
import {
  type ChaosFigures,
  errorsByMessage,
  fakeMuxFigures,
  pipelineFigures,
} from "../helpers/chaos-figures";
import { expectationFor, liveUploadSpecs } from "../helpers/chaos-library";
import { ChaosPipeline } from "../helpers/chaos-pipeline";
import { chaosRandom } from "../helpers/chaos-random";
import {
  changeViolations,
  deliveriesByKind,
  mirrorHolds,
  qualifyingSet,
  wrongDeletions,
} from "../helpers/chaos-verdict";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 1_000_000_000));
const ASSETS = 200;
const UPLOAD_WINDOW_MS = 36_000;
const CONVERGE_DEADLINE_MS = 150_000;

const TOKEN_ID = "5f0c7a2e-3b1d-4c8e-9a6f-7e2d1c0b9a8f";
const TOKEN_SECRET = "chaos-token-secret-0123456789";
const WEBHOOK_SECRET = "chaos-webhook-secret-abcdef";
const PIPELINE_SECRET = "whsec_Y2hhb3MtcGlwZWxpbmUtc2VjcmV0LTEyMzQ1Njc4OTA=";
const ADMIN_TOKEN = "chaos-admin-token-0123456789abcdef";
/** Another Mux environment of the same account, with its own library. */
const STAGING = {
  id: "st4g1ng",
  name: "Staging",
  tokenId: "0b9e8d7c-6a5f-4e3d-9c1b-0a9f8e7d6c5b",
  tokenSecret: "chaos-staging-token-secret-0123",
  webhookSecret: "chaos-staging-webhook-secret",
  webhookUrl: null,
};
/** Library changes over the run, each at a random moment. */
const CHANGES = {
  edits: 40,
  renditionChanges: 30,
  deletions: 6,
  from: 4_000,
  until: UPLOAD_WINDOW_MS + 4_000,
};
/** The sync's filters: the first excludes one passthrough, the second (final) another. */
const FILTERS = [
  { at: 10_000, excluded: "hidden" },
  { at: 26_000, excluded: "secret" },
] as const;
const EXCLUDED_AT_END = FILTERS[1].excluded;
/** serve restarted with the staging token, then with the right one (a mistaken deploy, undone). */
const SWITCH = { to: 14_000, back: 21_000 };

const SERVE_SETTINGS = {
  POLLING_INTERVAL_SECONDS: "10",
  // Edits whose webhook was lost are found by the next sweep that lists the asset: a full one
  // every minute here (a day by default).
  FULL_SWEEP_INTERVAL_SECONDS: "60",
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
  it("keeps the pipeline's view equal to the library: every change once, nothing invented, no wrong deletion", async () => {
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
    const staging = fake.fake.addEnvironment(STAGING);
    for (let i = 0; i < 30; i++) staging.createAsset({ mp4Support: "capped-1080p", status: "ready" });
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
      ADMIN_TOKEN,
      ENCRYPTION_KEY: "chaos-encryption-key-0123456789abcdef",
      PORT: String(port),
      // info: the "listening" line is how the helper knows serve is up.
      LOG_LEVEL: "info",
      ...SERVE_SETTINGS,
    };
    const stagingEnv = { ...env, MUX_TOKEN_ID: STAGING.tokenId, MUX_TOKEN_SECRET: STAGING.tokenSecret };
    let currentEnv: Record<string, string> = env;
    serve = await startServe(env, 60_000);
    // Every log line of every incarnation of the service, checked for secrets at the end.
    const logLines: string[][] = [serve.lines];
    const started = Date.now();

    // The timeline: uploads spread over the window, library changes, filter changes, 429 bursts,
    // an environment switch and back, and SIGKILLs at random moments.
    const specs = liveUploadSpecs(ASSETS, SEED, random);
    const uploadedIds: string[] = [];
    const changes = new LibraryChanges(fake.fake, random, uploadedIds);
    const killedAt: number[] = [];
    let bursts = 0;
    const actions: Action[] = specs.map((spec, i) => ({
      at: Math.round((i / ASSETS) * UPLOAD_WINDOW_MS + random.int(0, 80)),
      run: () => {
        uploadedIds.push(fake?.fake.createAsset(spec).id ?? "");
      },
    }));
    const sometime = () => random.int(CHANGES.from, CHANGES.until);
    for (let i = 0; i < CHANGES.edits; i++) actions.push({ at: sometime(), run: () => changes.edit() });
    for (let i = 0; i < CHANGES.renditionChanges; i++)
      actions.push({ at: sometime(), run: () => changes.changeRendition() });
    for (let i = 0; i < CHANGES.deletions; i++)
      actions.push({ at: sometime(), run: () => changes.deleteAsset() });
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
    // A restart takes seconds: uploads go on meanwhile (Mux does not wait for us).
    const background: Array<Promise<void>> = [];
    // Restarts one at a time; a kill restarts with the token of the moment, a switch with its own.
    let restarting = Promise.resolve();
    const restart = (signal: NodeJS.Signals, next?: Record<string, string>) => {
      restarting = restarting.then(async () => {
        if (signal === "SIGKILL") killedAt.push(Date.now() - started);
        currentEnv = next ?? currentEnv;
        await serve?.stop(signal);
        // Down for a moment: Mux's webhook retries and the poller must cover the gap.
        await pause(random.int(200, 1_500));
        serve = await startServe(currentEnv, 60_000);
        logLines.push(serve.lines);
      });
      return restarting;
    };
    const killMoments = [
      random.int(0.15 * UPLOAD_WINDOW_MS, 0.35 * UPLOAD_WINDOW_MS),
      random.int(0.65 * UPLOAD_WINDOW_MS, 0.9 * UPLOAD_WINDOW_MS),
      UPLOAD_WINDOW_MS + random.int(500, 4_000),
    ];
    for (const at of killMoments) actions.push({ at, run: () => void background.push(restart("SIGKILL")) });
    actions.push({ at: SWITCH.to, run: () => void background.push(restart("SIGTERM", stagingEnv)) });
    actions.push({ at: SWITCH.back, run: () => void background.push(restart("SIGTERM", env)) });
    const patchSync = (body: unknown) =>
      operatorRequest(
        `http://127.0.0.1:${port}`,
        ADMIN_TOKEN,
        "PATCH",
        "/v1/buckets/bkt_default/syncs/syn_default",
        body,
      );
    for (const { at, excluded } of FILTERS) {
      const rule = { field: "passthrough", operator: "not_equals", value: excluded };
      actions.push({
        at,
        run: () => void background.push(patchSync({ file_filters: { metadata_filters: [rule] } })),
      });
    }
    actions.sort((a, b) => a.at - b.at);
    for (const action of actions) {
      const wait = started + action.at - Date.now();
      if (wait > 0) await pause(wait);
      action.run();
    }
    await Promise.all(background);
    const changesDone = started + CHANGES.until;
    const lastKill = started + Math.max(...killedAt);

    // Convergence: observe the database and the pipeline until every asset has its expected
    // outcome, the pipeline holds the qualifying set, and the queue is empty (a deadline, not a
    // speed assertion).
    const reader = new ServiceDatabaseReader(dbPath);
    const world = (): WorldAtEnd => ({
      library: fake?.fake.listAssets() ?? [],
      deleted: changes.deleted,
      excluded: EXCLUDED_AT_END,
    });
    let state: Convergence = convergence(reader, world(), pipeline.processed);
    const deadline = Date.now() + CONVERGE_DEADLINE_MS;
    while (!state.done && Date.now() < deadline) {
      await pause(250);
      state = convergence(reader, world(), pipeline.processed);
    }
    const convergedAt = Date.now();
    if (!state.done) reportStragglers(reader, state);
    reader.close();
    expect(state.mirror, "the pipeline holds the qualifying set, each member as Mux shows it").toEqual({
      missing: [],
      extra: [],
      stale: [],
    });
    expect(state.stragglers, "every asset judged as Mux's final state implies").toEqual([]);
    expect(state.done, "the service converged before the deadline").toBe(true);

    // A graceful stop at the end; then the file is examined at rest.
    expect(await serve.stop("SIGTERM")).toBe(0);
    serve = undefined;
    const db = new ServiceDatabaseReader(dbPath);
    const integrity = db.integrityCheck();
    const queue = db.queue();
    const outbox = new Map(
      db
        .all<{ id: string; status: string }>("SELECT id, status FROM deliveries")
        .map((d) => [d.id, d.status]),
    );
    const recordedEvents = db.count("SELECT COUNT(*) AS n FROM webhook_events");
    const repaired = db.count("SELECT COALESCE(SUM(repaired), 0) AS n FROM runs");
    const unsent = db.count(
      "SELECT COUNT(*) AS n FROM deliveries WHERE status NOT IN ('delivered', 'superseded')",
    );
    const orderViolations = db.count("SELECT COUNT(*) AS n FROM runs WHERE order_violation = 1");
    db.close();

    // No corruption, nothing leased, nothing waiting, nothing dead.
    expect(integrity).toEqual(["ok"]);
    expect(queue).toEqual({ pending: 0, running: 0, dead: 0 });
    expect(unsent).toBe(0);
    expect(orderViolations).toBe(0);

    // Every upload is known to Mux and judged (the convergence above checked each one).
    const library = fake.fake.listAssets();
    expect(library.length).toBe(ASSETS - changes.counts.assetsDeleted);
    for (const id of uploadedIds)
      expect(library.some((a) => a.id === id) || changes.deleted.has(id)).toBe(true);

    // Nothing forged reached the pipeline; each id names its object and always carries the same change.
    const processed = pipeline.processed;
    const byId = pipeline.byId();
    expect(pipeline.counters.forged).toBe(0);
    const change = ({ body: _body, receivedAt: _at, ...rest }: (typeof processed)[number]) => rest;
    for (const [id, copies] of byId) {
      const first = copies[0];
      for (const copy of copies) expect(change(copy), `delivery ${id}`).toEqual(first && change(first));
      expect(id.startsWith(`${first?.objectId}.v`), `delivery id ${id} names its object`).toBe(true);
    }
    // Each id one distinct change, in version order; no departure that nothing explains.
    const violations = changeViolations(processed);
    expect(violations).toEqual([]);
    const wrong = wrongDeletions(processed, changes);
    expect(wrong).toEqual([]);
    // Every delivered row reached the pipeline; what it received is delivered, or was superseded
    // by a later change after a lost answer (the pipeline then got that change too).
    for (const [id, status] of outbox) if (status === "delivered") expect(byId.has(id), id).toBe(true);
    for (const id of byId.keys()) expect(["delivered", "superseded"], id).toContain(outbox.get(id));

    // No secret reached a log line, in any incarnation of the service (killed ones included).
    const secrets = [
      TOKEN_SECRET,
      WEBHOOK_SECRET,
      PIPELINE_SECRET,
      ADMIN_TOKEN,
      STAGING.tokenSecret,
      env.ENCRYPTION_KEY,
      env.MUX_PRIVATE_KEY,
    ];
    const lines = logLines.flat();
    expect(lines.length).toBeGreaterThan(10);
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
    // The switch to the other environment was noticed (and suspended the sync) before any deletion.
    expect(lines.some((line) => line.includes("Mux environment changed; syncs suspended"))).toBe(true);

    const stats = fake.fake.stats();
    const skipped: Record<string, number> = {};
    for (const asset of library) {
      const expected = expectationFor(asset, EXCLUDED_AT_END);
      if (!expected.deliver) skipped[expected.reason] = (skipped[expected.reason] ?? 0) + 1;
    }
    const qualifying = qualifyingSet(library, EXCLUDED_AT_END);
    const figures: ChaosFigures = {
      seed: SEED,
      finishedAt: new Date().toISOString(),
      assets: { created: ASSETS, eligible: qualifying.size, delivered: qualifying.size, skipped },
      changes: {
        ...changes.counts,
        filterChanges: FILTERS.length,
        environmentSwitches: 2,
        assetsTouched: changes.touched.size,
      },
      deliveries: deliveriesByKind(processed),
      ...fakeMuxFigures(stats, { recordedEvents, rateLimitBursts: bursts }),
      kills: { sigkill: killedAt.length, atSeconds: killedAt.map((ms) => round1(ms / 1000)) },
      pipeline: pipelineFigures(pipeline),
      repairedByPoller: repaired,
      serviceErrors: errorsByMessage(lines),
      convergeSeconds: {
        afterLastChange: round1((convergedAt - changesDone) / 1000),
        afterLastKill: round1((convergedAt - lastKill) / 1000),
        total: round1((convergedAt - started) / 1000),
      },
      invariants: {
        mirrorHolds: mirrorHolds(state.mirror),
        wrongDeletions: wrong.length,
        changeViolations: violations.length,
        jobsPendingOrRunning: queue.pending + queue.running,
        deadLetter: queue.dead,
        integrityCheck: integrity.join(", "),
        logLinesCheckedForSecrets: lines.length,
        secretsInLogs: leaks.length,
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

function pause(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
