/**
 * Benchmark 2: end-to-end latency, from Mux sending `video.asset.ready` to the pipeline
 * receiving `object.ready`.
 *
 * This process hosts the fake Mux (API, webhook sender) and a signature-verifying pipeline
 * receiver; mux-ingest runs in a child process with its job runner on. Every 1/RATE s an asset
 * is created already `ready` with ready MP4s and its `video.asset.ready` event is fired, so one
 * webhook carries each asset all the way. Send and receive times are both taken here, on one
 * monotonic clock: sent = when the fake's webhook POST starts, received = when the pipeline
 * receiver gets the signed `object.ready`. In between: signature check, durable enqueue,
 * ingest job (GET the asset from the fake, resolve the MP4), outbox delivery job.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type FakeMux, startFakeMux } from "../src/fake-mux/index";
import { startChild } from "./lib/child";
import { BENCH_CREDENTIALS } from "./lib/ingest-node";
import type { EndToEndData } from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import { distribution, round } from "./lib/stats";
import { startTimingReceiver } from "./lib/timing-receiver";
import type { IngestServerCounts, IngestServerReady, IngestServerRequest } from "./servers/ingest-server";

/** Overridable for exploring (e.g. BENCH_E2E_RATE=20); the published figures use the defaults. */
const ASSETS_PER_SECOND = Number(process.env.BENCH_E2E_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 30);
/** After the last asset, how long stragglers may take before the run gives up on them. */
const DRAIN_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-e2e-"));
  try {
    await recordBenchmark<EndToEndData>(
      "end-to-end",
      [
        `The fake Mux and a pipeline receiver that verifies every Standard Webhooks signature run in the bench process; mux-ingest runs in a child process (same services, job registry, runner and HTTP app as \`mux-ingest serve\`, WORKER_CONCURRENCY 4, file database, info logs to /dev/null).`,
        `${ASSETS_PER_SECOND} assets/s for ${SECONDS} s: each is created \`ready\` with ready MP4s (legacy \`mp4_support: standard\`) and its \`video.asset.ready\` webhook is fired at once, so a single webhook carries it to the pipeline. The poller is off: every delivery here is push. One second's worth of assets is sent first as a warm-up and not counted.`,
        `Latency = time from the fake starting the webhook POST to the receiver getting \`object.ready\` (both clocks in one process). In between: verify, durable enqueue, ingest job (GET the asset, resolve the MP4), outbox delivery job, signed POST.`,
        `Mux rate limits are lifted on both sides (fake and client token bucket): 100 assets/s means 100 GET/s, twenty times Mux's 5 GET/s. Against real Mux each ingest job's GET is held to 5/s per environment, so sustained ingest is capped at about 5 new assets/s; bursts above that queue durably and drain at that rate.`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<EndToEndData> {
  const sentAt = new Map<string, number>();
  const receiver = await startTimingReceiver(BENCH_CREDENTIALS.pipelineSecret);
  const mux = await startFakeMux({
    seed: 9,
    tokenId: BENCH_CREDENTIALS.tokenId,
    tokenSecret: BENCH_CREDENTIALS.tokenSecret,
    webhookSecret: BENCH_CREDENTIALS.webhookSecret,
    webhookUrl: null,
    rateLimit: null,
    tickMs: 5,
    webhooks: { concurrency: 32 },
    // Notes when each asset's webhook POST starts: the "sent" end of the measurement.
    fetch: (input, init) => {
      const assetId = assetIdOf(init?.body);
      if (assetId && !sentAt.has(assetId)) sentAt.set(assetId, performance.now());
      return fetch(input, init);
    },
  });
  const ingest = await startChild<IngestServerReady>(
    "servers/ingest-server.ts",
    [
      JSON.stringify({
        mode: "lifted",
        muxRatePerSecond: 1_000_000,
        env: {
          MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
          MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
          MUX_WEBHOOK_SECRET: BENCH_CREDENTIALS.webhookSecret,
          MUX_BASE_URL: mux.url,
          MUX_STREAM_BASE_URL: mux.streamBaseUrl,
          PIPELINE_URL: receiver.url,
          PIPELINE_SECRET: BENCH_CREDENTIALS.pipelineSecret,
          DATABASE_PATH: join(dir, "e2e.db"),
          ENCRYPTION_KEY: BENCH_CREDENTIALS.encryptionKey,
          LOG_LEVEL: "info",
        },
      }),
    ],
    { service: true },
  );
  try {
    mux.fake.setWebhookUrl(`${ingest.ready.url}/webhooks/mux`);
    // Warm-up (not counted): one second's worth of assets, so JIT compilation and first-use costs
    // of a freshly started process do not land on the measured assets.
    const warmup: string[] = [];
    await createSteadily(mux.fake, warmup, ASSETS_PER_SECOND, ASSETS_PER_SECOND);
    const warmDeadline = Date.now() + 30_000;
    while (receiver.readyAt.size < warmup.length && Date.now() < warmDeadline) await sleep(50);
    const counts = { op: "counts" } satisfies IngestServerRequest;
    const cpuBefore = (await ingest.request<IngestServerCounts>(counts)).cpuMs;

    const created: string[] = [];
    const total = ASSETS_PER_SECOND * SECONDS;
    const started = performance.now();
    await createSteadily(mux.fake, created, total, ASSETS_PER_SECOND);
    const sendingSeconds = (performance.now() - started) / 1000;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    const allDelivered = () => created.every((id) => receiver.readyAt.has(id));
    while (!allDelivered() && Date.now() < deadline) await sleep(100);
    const drainedSeconds = (performance.now() - started) / 1000;

    const latencies: number[] = [];
    for (const id of created) {
      const sent = sentAt.get(id);
      const received = receiver.readyAt.get(id);
      if (sent !== undefined && received !== undefined) latencies.push(received - sent);
    }
    const tenth = Math.max(1, Math.floor(created.length / 10));
    const latencyOf = (ids: string[]) =>
      ids.flatMap((id) => {
        const sent = sentAt.get(id);
        const received = receiver.readyAt.get(id);
        return sent !== undefined && received !== undefined ? [received - sent] : [];
      });
    const after = await ingest.request<IngestServerCounts>(counts);
    const rounded = (d: ReturnType<typeof distribution>) => ({
      ...d,
      min: round(d.min),
      p50: round(d.p50),
      p90: round(d.p90),
      p99: round(d.p99),
      max: round(d.max),
      mean: round(d.mean),
    });
    const delivered = created.filter((id) => receiver.readyAt.has(id)).length;
    return {
      warmupAssets: warmup.length,
      ingestCpuMsPerAsset: round((after.cpuMs - cpuBefore) / Math.max(1, delivered), 2),
      deliveredPerSecond: round(delivered / drainedSeconds, 1),
      assetsPerSecond: ASSETS_PER_SECOND,
      seconds: SECONDS,
      created: created.length,
      webhooksSent: sentAt.size,
      delivered,
      forged: receiver.forged(),
      sendingSeconds: round(sendingSeconds, 1),
      allDeliveredAfterSeconds: round(drainedSeconds, 1),
      latencyMs: rounded(distribution(latencies)),
      firstTenthMs: rounded(distribution(latencyOf(created.slice(0, tenth)))),
      lastTenthMs: rounded(distribution(latencyOf(created.slice(-tenth)))),
      ingestPeakRssMiB: after.peakRssMiB,
      muxCalls: { retrieve: mux.fake.stats().retrieveCalls, list: mux.fake.stats().listCalls },
    };
  } finally {
    await ingest.stop();
    await mux.close();
    await receiver.close();
  }
}

/** Creates `count` ready assets at a steady rate, firing each one's `video.asset.ready`. */
function createSteadily(fake: FakeMux, into: string[], count: number, perSecond: number): Promise<void> {
  const started = performance.now();
  const target = into.length + count;
  return new Promise<void>((resolve) => {
    // Each tick creates however many assets the elapsed time calls for, so the rate stays steady.
    const timer = setInterval(() => {
      const due = Math.min(
        target,
        target - count + Math.floor(((performance.now() - started) / 1000) * perSecond),
      );
      while (into.length < due) {
        const asset = fake.createAsset({
          status: "ready",
          renditionsReady: true,
          mp4Support: "standard",
          duration: 42,
          meta: { title: `e2e ${into.length + 1}` },
        });
        fake.fireEvent(asset.id, "video.asset.ready");
        into.push(asset.id);
      }
      if (into.length >= target) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

function assetIdOf(body: unknown): string | null {
  if (typeof body !== "string") return null;
  try {
    const event = JSON.parse(body) as { data?: { id?: unknown } };
    return typeof event.data?.id === "string" ? event.data.id : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await main();
