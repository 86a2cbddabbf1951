/**
 * Benchmark: does anything cost more with a million assets and a year of history?
 *
 * Two databases in one run, each measured the same way: an empty one (migrated, bootstrapped)
 * and one seeded in bulk (`lib/scale-seed.ts`) with 1,000,000 objects, 10,000,000 webhook events,
 * 3,000,000 deliveries, their history, runs and finished jobs. On each, mux-ingest runs in its own
 * process (`servers/scale-server.ts`, the composition root as `serve`), and this process measures
 * the webhook ingest rate, the claim rate, a burst carried from webhook to pipeline (ingest and
 * delivery jobs), `/metrics`, the dashboard, `status --json`'s verb, change-feed pages and object
 * details, with the server's event-loop delay watched throughout. Both files are deleted at the end.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type FakeMux, startFakeMux } from "../src/fake-mux/index";
import { encodeFeedCursor } from "../src/resources/feed-cursor";
import { startChild } from "./lib/child";
import { BENCH_CREDENTIALS, openIngestNode } from "./lib/ingest-node";
import { loadWebhooks } from "./lib/load";
import { recordBenchmark } from "./lib/results";
import type { LatencyFigures, ScaleData, ScaleSide } from "./lib/scale-result";
import { SCALE_SHAPE, type SeedReport, seedScaleDatabase } from "./lib/scale-seed";
import { distribution, median, round } from "./lib/stats";
import { startTimingReceiver, type TimingReceiver } from "./lib/timing-receiver";
import type { ClaimFigures, LoopDelay, ScaleServerReady, ScaleServerRequest } from "./servers/scale-server";

/** Overridable for exploring (e.g. BENCH_SCALE_FACTOR=0.01); the published figures use 1. */
const FACTOR = Number(process.env.BENCH_SCALE_FACTOR ?? 1);
const SHAPE = Object.fromEntries(
  Object.entries(SCALE_SHAPE).map(([k, v]) => [k, k === "historyPerObject" ? v : Math.round(v * FACTOR)]),
) as typeof SCALE_SHAPE;
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
const WEBHOOK_ROUNDS = 2;
const WEBHOOK_SECONDS = 5;
const CLAIM_JOBS = 2_000;
const BURST_ASSETS = 400;
const SCRAPES = 300;
const CONCURRENT_SCRAPERS = 4;
const PAGE_VIEWS = 20;
const FEED_PAGES = 50;
const DETAILS = 100;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-scale-"));
  try {
    await recordBenchmark<ScaleData>(
      "scale",
      [
        `Two databases in one run, measured alike: empty (migrated and bootstrapped), and seeded in bulk with ${SHAPE.objects.toLocaleString("en")} objects over 4 buckets (90 % delivered, 3 % waiting, 7 % skipped, deleted or failed), ${SHAPE.historyPerObject} or more history rows each, ${SHAPE.webhookEvents.toLocaleString("en")} webhook events, ${SHAPE.deliveries.toLocaleString("en")} deliveries with their full JSON payloads, ${(SHAPE.runsPerSync * 4).toLocaleString("en")} runs and ${SHAPE.finishedJobs.toLocaleString("en")} finished jobs (prepared statements in 50k-row transactions, secondary indexes and count triggers dropped for the load and recreated from their own SQL; counts recomputed by the migrations' backfill statements).`,
        `mux-ingest runs in its own process through the composition root (as \`serve\`), on a file database (WAL); the fake Mux, a signature-verifying pipeline receiver, autocannon and the HTTP client run in the bench process, all on the machine's ${cpus().length} cores. The server's event loop is watched with \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution).`,
        `Webhooks: ${WEBHOOK_ROUNDS} × ${WEBHOOK_SECONDS} s of signed \`video.asset.ready\` at 10 connections after a 2 s warm-up, runner off; median rate. Claims: ${CLAIM_JOBS} no-op jobs enqueued then claimed and completed one by one through the queue (claim UPDATE … RETURNING, complete). Burst: ${BURST_ASSETS} assets created ready in the fake Mux and their webhooks fired at once, runner on; rate = assets received by the pipeline / seconds until the last one (webhook, ingest job, delivery job).`,
        `Reads, one at a time: ${SCRAPES} \`/metrics\` scrapes, then ${CONCURRENT_SCRAPERS} concurrent scrapers; ${PAGE_VIEWS} dashboard pages (bearer) and ${PAGE_VIEWS} calls of \`status --json\`'s verb (\`readOverview\`, timed in the server); ${FEED_PAGES} feed pages of 100 each: the first, one from the middle (cursor), filtered by state (\`skipped\`) and by reason (\`filtered\`); ${DETAILS} object details (seeded objects on the seeded database, the burst's on the empty one). Latencies are client-side (loopback HTTP included).`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function serverEnv(
  path: string,
  mux: FakeMux & { url: string; streamBaseUrl: string },
  receiver: TimingReceiver,
) {
  return {
    MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
    MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
    MUX_WEBHOOK_SECRET: BENCH_CREDENTIALS.webhookSecret,
    MUX_BASE_URL: mux.url,
    MUX_STREAM_BASE_URL: mux.streamBaseUrl,
    PIPELINE_URL: receiver.url,
    PIPELINE_SECRET: BENCH_CREDENTIALS.pipelineSecret,
    DATABASE_PATH: path,
    ENCRYPTION_KEY: BENCH_CREDENTIALS.encryptionKey,
    ADMIN_TOKEN,
    LOG_LEVEL: "info",
  };
}

async function measure(dir: string): Promise<ScaleData> {
  const receiver = await startTimingReceiver(BENCH_CREDENTIALS.pipelineSecret);
  const started = await startFakeMux({
    seed: 15,
    tokenId: BENCH_CREDENTIALS.tokenId,
    tokenSecret: BENCH_CREDENTIALS.tokenSecret,
    webhookSecret: BENCH_CREDENTIALS.webhookSecret,
    webhookUrl: null,
    rateLimit: null,
    tickMs: 5,
    webhooks: { concurrency: 32 },
  });
  const mux = Object.assign(started.fake, { url: started.url, streamBaseUrl: started.streamBaseUrl });
  try {
    const empty = await measureSide("empty", join(dir, "empty.db"), mux, receiver, null);
    const seededPath = join(dir, "scale.db");
    // The service creates its schema and default rows first, exactly as on a first start.
    const first = await openIngestNode({ env: serverEnv(seededPath, mux, receiver) });
    await first.close();
    console.error("  seeding…");
    const seed = seedScaleDatabase(seededPath, Date.now(), SHAPE);
    console.error(`  seeded in ${seed.seconds.total} s`);
    const scaled = await measureSide("seeded", seededPath, mux, receiver, seed);
    return { shape: SHAPE, seed, empty, seeded: scaled, forged: receiver.forged() };
  } finally {
    await started.close();
    await receiver.close();
  }
}

async function measureSide(
  label: string,
  path: string,
  mux: FakeMux & { url: string; streamBaseUrl: string },
  receiver: TimingReceiver,
  seed: SeedReport | null,
): Promise<ScaleSide> {
  console.error(`  ${label}: starting`);
  const server = await startChild<ScaleServerReady>(
    "servers/scale-server.ts",
    [JSON.stringify({ env: serverEnv(path, mux, receiver) })],
    { startTimeoutMs: 300_000 },
  );
  const ask = <T>(request: ScaleServerRequest) => server.request<T>(request, 600_000);
  const url = server.ready.url;
  try {
    mux.setWebhookUrl(`${url}/webhooks/mux`);
    const secret = BENCH_CREDENTIALS.webhookSecret;
    await loadWebhooks({ url, target: label, connections: 10, seconds: 2, secret });
    await ask({ op: "loop-reset" });
    const webhookRates: number[] = [];
    for (let i = 0; i < WEBHOOK_ROUNDS; i++)
      webhookRates.push(
        (await loadWebhooks({ url, target: label, connections: 10, seconds: WEBHOOK_SECONDS, secret }))
          .reqPerSec,
      );
    const loopWebhooks = await ask<LoopDelay>({ op: "loop-read" });
    await ask({ op: "clear-pending" });
    const claims = await ask<ClaimFigures>({ op: "claims", jobs: CLAIM_JOBS });

    await ask({ op: "runner-start" });
    await ask({ op: "loop-reset" });
    const burst = await runBurst(mux, receiver);
    const loopBurst = await ask<LoopDelay>({ op: "loop-read" });
    await sleep(500);

    await ask({ op: "loop-reset" });
    const sequential = await repeat(SCRAPES, () => timed(`${url}/metrics`));
    const concurrent = (
      await Promise.all(
        Array.from({ length: CONCURRENT_SCRAPERS }, () =>
          repeat(SCRAPES / CONCURRENT_SCRAPERS, () => timed(`${url}/metrics`)),
        ),
      )
    ).flat();
    const loopScrapes = await ask<LoopDelay>({ op: "loop-read" });

    await ask({ op: "loop-reset" });
    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const dashboard = await repeat(PAGE_VIEWS, () => timed(`${url}/`, bearer));
    const status = await ask<number[]>({ op: "status", times: PAGE_VIEWS });
    const feedBase = `${url}/v1/buckets/bkt_default/objects?limit=100`;
    const middle = encodeFeedCursor(seed?.middleFeedSeq ?? 1);
    const feed = {
      first: await repeat(FEED_PAGES, () => timed(feedBase, bearer)),
      middle: await repeat(FEED_PAGES, () => timed(`${feedBase}&cursor=${middle}`, bearer)),
      byState: await repeat(FEED_PAGES, () => timed(`${feedBase}&state=skipped`, bearer)),
      byReason: await repeat(FEED_PAGES, () => timed(`${feedBase}&reason=filtered`, bearer)),
    };
    // A seeded object (a year of history, several deliveries) where there are some.
    const sample = seed && seed.sampleAssets.length > 0 ? seed.sampleAssets : burst.assets;
    let next = 0;
    const details = await repeat(DETAILS, () =>
      timed(`${url}/v1/buckets/bkt_default/objects/${sample[next++ % sample.length]}`, bearer),
    );
    const loopReads = await ask<LoopDelay>({ op: "loop-read" });
    const usage = await ask<{ cpuMs: number; peakRssMiB: number }>({ op: "usage" });
    return {
      label,
      webhooksPerSecond: median(webhookRates),
      webhookRounds: webhookRates,
      claimsPerSecond: claims.perSecond,
      burst: {
        assets: burst.assets.length,
        delivered: burst.delivered,
        seconds: burst.seconds,
        perSecond: burst.perSecond,
      },
      metrics: { sequential: figures(sequential), concurrent: figures(concurrent) },
      dashboard: figures(dashboard),
      status: figures(status),
      feed: {
        first: figures(feed.first),
        middle: figures(feed.middle),
        byState: figures(feed.byState),
        byReason: figures(feed.byReason),
      },
      detail: figures(details),
      eventLoop: { webhooks: loopWebhooks, burst: loopBurst, scrapes: loopScrapes, reads: loopReads },
      fileMiB: fileMiB(path),
      peakRssMiB: usage.peakRssMiB,
    };
  } finally {
    await server.stop(60_000);
  }
}

async function runBurst(mux: FakeMux, receiver: TimingReceiver) {
  const assets: string[] = [];
  const started = performance.now();
  for (let i = 0; i < BURST_ASSETS; i++) {
    const asset = mux.createAsset({
      status: "ready",
      renditionsReady: true,
      mp4Support: "standard",
      duration: 42,
      meta: { title: `scale ${i}` },
    });
    mux.fireEvent(asset.id, "video.asset.ready");
    assets.push(asset.id);
  }
  const deadline = Date.now() + 180_000;
  while (assets.some((id) => !receiver.readyAt.has(id)) && Date.now() < deadline) await sleep(20);
  const delivered = assets.filter((id) => receiver.readyAt.has(id));
  const last = Math.max(...delivered.map((id) => receiver.readyAt.get(id) ?? 0));
  const seconds = (last - started) / 1000;
  return {
    assets,
    delivered: delivered.length,
    seconds: round(seconds, 2),
    perSecond: round(delivered.length / seconds, 1),
  };
}

/** A request's time; a failed one (refused, reset, not 200) counts at the time it took to fail, and is logged. */
async function timed(target: string, headers: Record<string, string> = {}): Promise<number> {
  const t = performance.now();
  try {
    const response = await fetch(target, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) console.error(`  ${target}: HTTP ${response.status}`);
  } catch (err) {
    console.error(`  ${target}: ${String((err as Error).cause ?? err)}`);
  }
  return performance.now() - t;
}

/** How long one kind of read may take in all: a slow read is reported with fewer samples, not waited out. */
const PHASE_BUDGET_MS = 60_000;

async function repeat(times: number, body: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + PHASE_BUDGET_MS;
  for (let i = 0; i < times && performance.now() < deadline; i++) samples.push(await body());
  return samples;
}

function figures(samples: number[]): LatencyFigures {
  const d = distribution(samples);
  return { n: samples.length, p50: round(d.p50, 2), p99: round(d.p99, 2), max: round(d.max, 2) };
}

function fileMiB(path: string): number {
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      bytes += statSync(file).size;
    } catch {
      // no WAL left after a checkpoint
    }
  }
  return round(bytes / 1024 / 1024, 1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await main();
