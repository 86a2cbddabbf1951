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
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { type FakeMux, startFakeMux } from "../src/fake-mux/index";
import { METRICS_SHARED_MS } from "../src/metrics/types";
import { encodeFeedCursor } from "../src/resources/feed-cursor";
import { type ChildHandle, startChild } from "./lib/child";
import { CONSOLE_PAGE_KEYS, type ConsolePageKey, consolePages } from "./lib/console-pages";
import { BENCH_CREDENTIALS, openIngestNode } from "./lib/ingest-node";
import { loadWebhooks } from "./lib/load";
import { recordBenchmark } from "./lib/results";
import { type Ask, figures, fileMiB, perUnit, profiled } from "./lib/scale-measure";
import type { ConsolePageFigures, ScaleData, ScaleSide, SqliteVariantFigures } from "./lib/scale-result";
import { SCALE_SHAPE, type SeedReport, seedEmptyDeployment, seedScaleDatabase } from "./lib/scale-seed";
import { median, round } from "./lib/stats";
import { startTimingReceiver, type TimingReceiver } from "./lib/timing-receiver";
import { webhookDeliveries } from "./lib/webhook-payload";
import type { ScaleReaderReply, ScaleReaderRequest } from "./servers/scale-reader";
import type {
  ClaimFigures,
  IoCounters,
  LoopDelay,
  ScaleServerReady,
  ScaleServerRequest,
  SqliteVariant,
} from "./servers/scale-server";

/** Overridable for exploring (e.g. BENCH_SCALE_FACTOR=0.01); the published figures use 1. */
const FACTOR = Number(process.env.BENCH_SCALE_FACTOR ?? 1);
const SHAPE = Object.fromEntries(
  Object.entries(SCALE_SHAPE).map(([k, v]) => [k, k === "historyPerObject" ? v : Math.round(v * FACTOR)]),
) as typeof SCALE_SHAPE;
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
const WEBHOOK_ROUNDS = 2;
const WEBHOOK_SECONDS = 5;
const CLAIM_JOBS = 2_000;
const CLAIM_ROUNDS = 3;
const BURST_ASSETS = 400;
const SCRAPES = 300;
const CONCURRENT_SCRAPERS = 4;
/** Enough samples that a p99 is not simply the slowest one (it is the 2nd slowest of 200). */
const PAGE_VIEWS = 50;
const FEED_PAGES = 200;
const DETAILS = 200;
const PROFILE_SECONDS = 5;
/**
 * Hypotheses for what grows with the tables, each measured on both databases (webhook rounds and
 * a burst, on a server restarted with the override): a page cache that holds more of the
 * `webhook_events` and `jobs` indexes, and SQLite's memory map (2 GiB, the most this build of
 * better-sqlite3 allows, MAX_MMAP_SIZE), which reads pages without a system call and a copy.
 */
const SQLITE_VARIANTS: Array<{ label: string; sqlite: SqliteVariant }> = [
  { label: "page cache 64 MiB", sqlite: { cacheKib: 65_536 } },
  { label: "page cache 512 MiB", sqlite: { cacheKib: 524_288 } },
  { label: "mmap 2 GiB", sqlite: { mmapBytes: 2_147_418_112 } },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-scale-"));
  try {
    await recordBenchmark<ScaleData>(
      "scale",
      [
        `Two databases in one run, measured alike: empty (migrated and bootstrapped, with the seeded database's 4 buckets, each with a sync on the default connection, so a webhook concerns 4 syncs on both), and seeded in bulk with ${SHAPE.objects.toLocaleString("en")} objects over 4 buckets (90 % delivered, 3 % waiting, 7 % skipped, deleted or failed), ${SHAPE.historyPerObject} or more history rows each, ${SHAPE.webhookEvents.toLocaleString("en")} webhook events, ${SHAPE.deliveries.toLocaleString("en")} deliveries with their full JSON payloads, ${(SHAPE.runsPerSync * 4).toLocaleString("en")} runs and ${SHAPE.finishedJobs.toLocaleString("en")} finished jobs (prepared statements in 50k-row transactions, secondary indexes and count triggers dropped for the load and recreated from their own SQL; counts recomputed by the migrations' backfill statements).`,
        `mux-ingest runs in its own process through the composition root (as \`serve\`), on a file database (WAL); the fake Mux, a signature-verifying pipeline receiver, autocannon and the HTTP client run in the bench process, all on the machine's ${cpus().length} cores. The server's event loop is watched with \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution), and each of its stalls of 20 ms or more is split by where the main thread spent it (\`bench/lib/stall-watch.ts\`).`,
        `Webhooks: ${WEBHOOK_ROUNDS} × ${WEBHOOK_SECONDS} s of signed \`video.asset.ready\` at 10 connections after a 2 s warm-up, runner off; median rate. Claims: ${CLAIM_ROUNDS} rounds (median rate) of ${CLAIM_JOBS} no-op jobs enqueued then claimed and completed one by one through the queue (claim UPDATE … RETURNING, complete), each claim-and-complete timed. Burst: ${BURST_ASSETS} assets created ready in the fake Mux and their webhooks fired at once, runner on, after a first burst of as many (the process's first jobs, unmeasured); rate = assets received by the pipeline / seconds until the last one (webhook, ingest job, delivery job).`,
        `Then, on each database: the server's system-call I/O (\`/proc/self/io\`) over the measured webhook rounds and the burst, per webhook and per asset; a V8 CPU profile (200 µs sampling) of ${PROFILE_SECONDS} s more webhooks and of a second burst (not measured for rates: the profiler slows the server); the operator console's pages, ${PAGE_VIEWS} reads each with the bearer; and, each on a server restarted on the same file with one SQLite override (${SQLITE_VARIANTS.map((v) => v.label).join(", ")}), the webhook rounds and a burst again.`,
        `Reads, one at a time, from a client process of its own (\`servers/scale-reader.ts\`: the bench process hosts the fake Mux and the receiver, whose collections would count as latency), each kind after 3 unmeasured requests: ${SCRAPES} \`/metrics\` scrapes, then ${CONCURRENT_SCRAPERS} concurrent scrapers (scrapes within ${METRICS_SHARED_MS / 1000} s of one another share one rendering, \`METRICS_SHARED_MS\`, so most of these answers are shared), then ${SCRAPES} renderings timed in the server and shared with nothing (the gauges' count rows and the registry's text); ${PAGE_VIEWS} dashboard pages (bearer) and ${PAGE_VIEWS} calls of \`status --json\`'s verb (\`readOverview\`, timed in the server); ${FEED_PAGES} feed pages of 100 each: the first, one from the middle (cursor), filtered by state (\`skipped\`) and by reason (\`filtered\`); ${DETAILS} object details (seeded objects on the seeded database, the burst's on the empty one). Latencies are client-side (loopback HTTP included). The server's event loop and its collection pauses (\`gc\` performance entries) are also watched over each kind of read alone.`,
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
  const reader = await startChild<unknown>("servers/scale-reader.ts", []);
  try {
    const emptyPath = join(dir, "empty.db");
    const seededPath = join(dir, "scale.db");
    // The service creates its schema and default rows first, exactly as on a first start; both
    // databases then get the same buckets and syncs, so only the tables' sizes differ.
    for (const path of [emptyPath, seededPath]) {
      const first = await openIngestNode({ env: serverEnv(path, mux, receiver) });
      await first.close();
    }
    seedEmptyDeployment(emptyPath, Date.now());
    const empty = await measureSide("empty", emptyPath, mux, receiver, reader, null);
    console.error("  seeding…");
    const seed = seedScaleDatabase(seededPath, Date.now(), SHAPE);
    console.error(`  seeded in ${seed.seconds.total} s`);
    const scaled = await measureSide("seeded", seededPath, mux, receiver, reader, seed);
    return { shape: SHAPE, seed, empty, seeded: scaled, forged: receiver.forged() };
  } finally {
    await reader.stop();
    await started.close();
    await receiver.close();
  }
}

async function measureSide(
  label: string,
  path: string,
  mux: FakeMux & { url: string; streamBaseUrl: string },
  receiver: TimingReceiver,
  reader: ChildHandle<unknown>,
  seed: SeedReport | null,
): Promise<ScaleSide> {
  console.error(`  ${label}: starting`);
  const { server, ask, url } = await startServer(path, mux, receiver);
  const profileDir = dirname(path);
  try {
    mux.setWebhookUrl(`${url}/webhooks/mux`);
    const webhooks = await webhookRounds(ask, url, label);
    const loopWebhooks = await ask<LoopDelay>({ op: "loop-read" });
    const profiledWebhooks = await profiled(
      ask,
      join(profileDir, `${label}-webhooks.cpuprofile`),
      async () => {
        const run = await loadWebhooks({
          url,
          target: `${label} (profiled)`,
          connections: 10,
          seconds: PROFILE_SECONDS,
          secret: BENCH_CREDENTIALS.webhookSecret,
        });
        return {
          units: run.ok,
          how: `V8 CPU profiler (200 µs sampling) in the ${label} database's server during ${PROFILE_SECONDS} s of webhooks at 10 connections, after the measured rounds`,
        };
      },
    );
    await ask({ op: "clear-pending" });
    const claimRounds: ClaimFigures[] = [];
    for (let i = 0; i < CLAIM_ROUNDS; i++)
      claimRounds.push(await ask<ClaimFigures>({ op: "claims", jobs: CLAIM_JOBS }));

    await ask({ op: "runner-start" });
    // The process's first jobs: unmeasured for the rate, their event loop reported apart.
    await ask({ op: "loop-reset" });
    await runBurst(mux, receiver);
    const loopFirstBurst = await ask<LoopDelay>({ op: "loop-read" });
    await sleep(500);
    await ask({ op: "loop-reset" });
    const ioBeforeBurst = await ask<IoCounters>({ op: "io" });
    const burst = await runBurst(mux, receiver);
    const burstIo = perUnit(ioBeforeBurst, await ask<IoCounters>({ op: "io" }), burst.delivered);
    const loopBurst = await ask<LoopDelay>({ op: "loop-read" });
    await sleep(500);
    const profiledBurst = await profiled(ask, join(profileDir, `${label}-burst.cpuprofile`), async () => {
      const again = await runBurst(mux, receiver);
      return {
        units: again.delivered,
        how: `V8 CPU profiler (200 µs sampling) in the ${label} database's server during a second burst of ${BURST_ASSETS} assets (webhook, ingest job, delivery job), after the measured one`,
      };
    });
    await sleep(500);

    const reads = readsOf(ask, reader);
    await ask({ op: "loop-reset" });
    const sequential = await reads.http("metrics", [`${url}/metrics`], {}, SCRAPES);
    const concurrent = await reads.http(
      "metricsConcurrent",
      [`${url}/metrics`],
      {},
      SCRAPES,
      CONCURRENT_SCRAPERS,
    );
    const rendering = await reads.inServer("metricsRendering", "metrics-render", SCRAPES);
    const loopScrapes = await ask<LoopDelay>({ op: "loop-read" });

    await ask({ op: "loop-reset" });
    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const dashboard = await reads.http("dashboard", [`${url}/`], bearer, PAGE_VIEWS);
    const status = await reads.inServer("status", "status", PAGE_VIEWS);
    const feedBase = `${url}/v1/buckets/bkt_default/objects?limit=100`;
    const middle = encodeFeedCursor(seed?.middleFeedSeq ?? 1);
    const feed = {
      first: await reads.http("feedFirst", [feedBase], bearer, FEED_PAGES),
      middle: await reads.http("feedMiddle", [`${feedBase}&cursor=${middle}`], bearer, FEED_PAGES),
      byState: await reads.http("feedByState", [`${feedBase}&state=skipped`], bearer, FEED_PAGES),
      byReason: await reads.http("feedByReason", [`${feedBase}&reason=filtered`], bearer, FEED_PAGES),
    };
    // A seeded object (a year of history, several deliveries) where there are some.
    const sample = seed && seed.sampleAssets.length > 0 ? seed.sampleAssets : burst.assets;
    const details = await reads.http(
      "detail",
      sample.map((asset) => `${url}/v1/buckets/bkt_default/objects/${asset}`),
      bearer,
      DETAILS,
    );
    const consoleFigures = await readConsolePages(ask, reads, url, bearer, sample[0] ?? "");
    const loopReads = await ask<LoopDelay>({ op: "loop-read" });
    const usage = await ask<{ cpuMs: number; peakRssMiB: number }>({ op: "usage" });
    await server.stop(60_000);
    const variants: SqliteVariantFigures[] = [];
    for (const variant of SQLITE_VARIANTS) variants.push(await measureVariant(variant, path, mux, receiver));
    return {
      label,
      webhooksPerSecond: median(webhooks.rates),
      webhookRounds: webhooks.rates,
      webhookIo: webhooks.io,
      webhookWork: webhooks.work,
      burstIo,
      profiles: { webhooks: profiledWebhooks, burst: profiledBurst },
      console: consoleFigures,
      variants,
      claimsPerSecond: median(claimRounds.map((r) => r.perSecond)),
      claimRounds,
      burst: {
        assets: burst.assets.length,
        delivered: burst.delivered,
        seconds: burst.seconds,
        perSecond: burst.perSecond,
      },
      metrics: {
        sequential: figures(sequential),
        concurrent: figures(concurrent),
        rendering: figures(rendering),
      },
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
      eventLoopFirstUse: { webhooks: webhooks.warmUpLoop, burst: loopFirstBurst },
      readLoops: reads.loops,
      fileMiB: fileMiB(path),
      peakRssMiB: usage.peakRssMiB,
    };
  } finally {
    await server.stop(60_000);
  }
}

async function startServer(
  path: string,
  mux: FakeMux & { url: string; streamBaseUrl: string },
  receiver: TimingReceiver,
  sqlite?: SqliteVariant,
): Promise<{ server: ChildHandle<ScaleServerReady>; ask: Ask; url: string }> {
  const server = await startChild<ScaleServerReady>(
    "servers/scale-server.ts",
    [JSON.stringify({ env: serverEnv(path, mux, receiver), ...(sqlite ? { sqlite } : {}) })],
    { startTimeoutMs: 300_000, service: true },
  );
  const ask: Ask = <T>(request: ScaleServerRequest) => server.request<T>(request, 600_000);
  return { server, ask, url: server.ready.url };
}

/** A 2 s warm-up, then the measured rounds at 10 connections, with the server's I/O per webhook. */
async function webhookRounds(ask: Ask, url: string, label: string) {
  const secret = BENCH_CREDENTIALS.webhookSecret;
  // After a sync has run, the connection is pinned to the fake's environment: send from it.
  const environmentId =
    (await ask<string | null>({ op: "environment-of", connectionId: "con_default" })) ?? undefined;
  await ask({ op: "loop-reset" });
  await loadWebhooks({ url, target: label, connections: 10, seconds: 2, secret, environmentId });
  const warmUpLoop = await ask<LoopDelay>({ op: "loop-read" });
  await ask({ op: "loop-reset" });
  const jobsBefore = await ask<number>({ op: "pending-ingest-jobs" });
  const before = await ask<IoCounters>({ op: "io" });
  const rates: number[] = [];
  let ok = 0;
  for (let i = 0; i < WEBHOOK_ROUNDS; i++) {
    const run = await loadWebhooks({
      url,
      target: label,
      connections: 10,
      seconds: WEBHOOK_SECONDS,
      secret,
      environmentId,
    });
    // A rate of answers that were not 2xx is not an ingest rate: count only what was recorded.
    if (run.non2xx + run.errors > 0) {
      const one = webhookDeliveries(secret, environmentId).next();
      const answer = await fetch(`${url}/webhooks/mux`, { method: "POST", ...one });
      console.error(
        `  ${label}: ${run.non2xx} answers not 2xx, ${run.errors} errors in ${run.requests}; one more: HTTP ${answer.status} ${(await answer.text()).slice(0, 200)}`,
      );
    }
    rates.push(round(run.ok / run.seconds, 0));
    ok += run.ok;
  }
  const io = perUnit(before, await ask<IoCounters>({ op: "io" }), ok);
  const jobs = (await ask<number>({ op: "pending-ingest-jobs" })) - jobsBefore;
  return { rates, io, warmUpLoop, work: { ingestJobsPerWebhook: round(jobs / Math.max(1, ok), 2) } };
}

/**
 * One kind of read at a time, from the reader process (HTTP) or in the server (`status`), with
 * the server's event loop watched over that kind alone (`loops`, by kind).
 */
function readsOf(ask: Ask, reader: ChildHandle<unknown>) {
  const loops: Record<string, LoopDelay> = {};
  const watched = async <T>(kind: string, body: () => Promise<T>): Promise<T> => {
    await ask({ op: "loop-reset", window: "kind" });
    const result = await body();
    loops[kind] = await ask<LoopDelay>({ op: "loop-read", window: "kind" });
    return result;
  };
  /** Samples in ms; every answer but a 200 is logged by the reader and counted in `failures`. */
  const http = async (
    kind: string,
    targets: string[],
    headers: Record<string, string>,
    times: number,
    clients = 1,
    failures: { count: number } = { count: 0 },
  ): Promise<number[]> => {
    const reply = await watched(kind, () =>
      reader.request<ScaleReaderReply>(
        { op: "read", targets, headers, times, clients } satisfies ScaleReaderRequest,
        600_000,
      ),
    );
    failures.count += reply.failures;
    return reply.samples;
  };
  const inServer = (kind: string, op: "status" | "metrics-render", times: number) =>
    watched(kind, () => ask<number[]>({ op, times }));
  return { loops, http, inServer };
}

/** The console's pages, each read PAGE_VIEWS times with the bench's bearer; each must answer 200. */
async function readConsolePages(
  ask: Ask,
  reads: ReturnType<typeof readsOf>,
  url: string,
  bearer: Record<string, string>,
  assetId: string,
): Promise<Record<ConsolePageKey, ConsolePageFigures>> {
  const objectId = await ask<string | null>({ op: "object-of", bucketId: "bkt_default", assetId });
  if (!objectId) throw new Error(`No object of ${assetId} in bkt_default`);
  const pages = consolePages({ bucketId: "bkt_default", syncId: "syn_default", objectId, assetId });
  const out = {} as Record<ConsolePageKey, ConsolePageFigures>;
  for (const page of pages) {
    const failures = { count: 0 };
    const samples = await reads.http(
      `console.${page.key}`,
      [`${url}${page.path}`],
      bearer,
      PAGE_VIEWS,
      1,
      failures,
    );
    out[page.key] = { ...figures(samples), path: page.path, non200: failures.count };
  }
  if (Object.keys(out).length !== CONSOLE_PAGE_KEYS.length) throw new Error("A console page was not read");
  return out;
}

/** Webhook rounds and a burst again, on a server whose SQLite connection has `variant`'s override. */
async function measureVariant(
  variant: { label: string; sqlite: SqliteVariant },
  path: string,
  mux: FakeMux & { url: string; streamBaseUrl: string },
  receiver: TimingReceiver,
): Promise<SqliteVariantFigures> {
  const { server, ask, url } = await startServer(path, mux, receiver, variant.sqlite);
  try {
    mux.setWebhookUrl(`${url}/webhooks/mux`);
    const webhooks = await webhookRounds(ask, url, variant.label);
    await ask({ op: "clear-pending" });
    await ask({ op: "runner-start" });
    const burst = await runBurst(mux, receiver);
    console.error(
      `  ${variant.label}: ${median(webhooks.rates)} webhooks/s, burst ${burst.perSecond} assets/s, ${webhooks.io.readKiB} KiB read per webhook`,
    );
    return {
      ...variant,
      webhooksPerSecond: median(webhooks.rates),
      webhookIo: webhooks.io,
      burstPerSecond: burst.perSecond,
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await main();
