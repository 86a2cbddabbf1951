/**
 * Benchmark 4: the reconciliation poller's cost — Mux API calls, wall time and memory — for an
 * initial pass and an incremental pass (after a few new assets) on 1k, 10k and 100k-asset
 * libraries, with Mux's rate limits lifted; then once on a smaller library with the default
 * 5 GET/s, to show the real bound. The fake Mux runs here; each size's passes run in a fresh
 * child process (bench/poller-pass.ts), whose memory is what is reported: the peak RSS per
 * library size and the ratio of the largest to the smallest. About 1.5 minutes on a quiet 2-core
 * machine (two 100k passes of about 26 s each); about 6 minutes at a load average of 10.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RATE_LIMIT, librarySpecs, type RunningFakeMux, startFakeMux } from "../src/fake-mux/index";
import { seededRandom } from "../src/fake-mux/random";
import { serviceNodeFlags, startChild } from "./lib/child";
import { BENCH_CREDENTIALS } from "./lib/ingest-node";
import type { PollerData, PollerSize } from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import type { PassReport, PassRequest } from "./poller-pass";

const SIZES = [1_000, 10_000, 100_000];
const NEW_ASSETS = 10;
const RATE_LIMITED_SIZE = 5_000;
const LIFTED = 1_000_000;
/** Uploads still processing at any moment: a handful, however large the library. */
const MAX_PREPARING = 20;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-poller-"));
  try {
    await recordBenchmark<PollerData>(
      "poller",
      [
        `The fake Mux (this process) holds a seeded library with the fake's realistic mix (public, signed, DRM-only, no MP4, errored…), created over 90 days, with at most ${MAX_PREPARING} assets still preparing (the generator's 7 % share of preparing assets, all created in the last two minutes, is unrealistic for a large library and would all fall inside the incremental pass's overlap window). mux-ingest's services run in a child process per library size (bundled with esbuild and run on plain node, as the installed package's dist/ is), on a fresh file database, with no HTTP server, job runner or poller loop: each pass is \`schedulePass\` → claim the reconcile job → \`JobRunner.runClaimed\`, the production job path.`,
        `Initial pass: lists the whole library (limit=100, cursor) and enqueues one ingest job per asset, carrying the listed asset as a snapshot so the job needs no GET. Incremental pass: after ${NEW_ASSETS} new assets, a scheduled (non-full) pass, which stops at the previous watermark minus a 300 s overlap.`,
        `The ingest jobs are not run (their cost is the ingest job's); before the incremental pass they are marked done, as if they had run. No objects exist yet, so nothing is re-checked: the incremental figure is the listing cost alone.`,
        `API calls are counted at the fake. Memory is the child's alone (the fake Mux and its library live in this process): RSS sampled every 25 ms during each pass, and the child's ru_maxrss (which includes start-up: drizzle, migrations). The peak RSS of a library size is the child's ru_maxrss at the end of its initial pass. The child runs with the service's defaults: node started with the installed command's young-generation bound (\`--max-semi-space-size\`, src/node/heap-policy.ts), its V8 heap policy (src/node/heap-policy.ts, applied by openNode) and SQLite page cache (src/db/node.ts).`,
        `"Lifted" runs disable both the fake's 429 limit and mux-ingest's client-side token bucket; the "default limit" run keeps both at production values (fake ${DEFAULT_RATE_LIMIT.perSecond}/s burst ${DEFAULT_RATE_LIMIT.burst}; client 5/s).`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<PollerData> {
  const mux = await startFakeMux({
    seed: 4,
    tokenId: BENCH_CREDENTIALS.tokenId,
    tokenSecret: BENCH_CREDENTIALS.tokenSecret,
    webhookSecret: BENCH_CREDENTIALS.webhookSecret,
    webhookUrl: null,
    rateLimit: null,
  });
  try {
    const lifted: PollerSize[] = [];
    for (const size of SIZES) {
      lifted.push(await measureSize(mux, dir, size, LIFTED));
    }
    const largest = SIZES[SIZES.length - 1] ?? 0;
    // The same pass without the service's memory bounds, as before they existed: what they buy.
    const unbounded = await measureSize(mux, dir, largest, LIFTED, { unbounded: true });
    mux.fake.setRateLimit(DEFAULT_RATE_LIMIT);
    const rateLimited = await measureSize(mux, dir, RATE_LIMITED_SIZE, undefined);
    const peakRss = lifted.map((size) => ({
      assets: size.assets,
      peakRssMiB: size.initial.processPeakRssMiB,
    }));
    const first = peakRss[0]?.peakRssMiB ?? Number.NaN;
    const last = peakRss[peakRss.length - 1]?.peakRssMiB ?? Number.NaN;
    const peakRatio = Math.round((last / first) * 1000) / 1000;
    return {
      newAssets: NEW_ASSETS,
      lifted,
      peakRss,
      peakRatio,
      rateLimited,
      unbounded,
      childNodeFlags: serviceNodeFlags(),
    };
  } finally {
    await mux.close();
  }
}

async function measureSize(
  mux: RunningFakeMux,
  dir: string,
  size: number,
  muxRatePerSecond: number | undefined,
  options: { unbounded?: boolean } = {},
): Promise<PollerSize> {
  mux.fake.reset();
  createLibrary(mux, size);
  const label = `${size}${muxRatePerSecond ? "" : "-limited"}${options.unbounded ? "-unbounded" : ""}`;
  const child = await startChild<{ rssMiB: number }>(
    "poller-pass.ts",
    [
      JSON.stringify({
        muxRatePerSecond,
        unbounded: options.unbounded ?? false,
        env: {
          MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
          MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
          MUX_WEBHOOK_SECRET: BENCH_CREDENTIALS.webhookSecret,
          MUX_BASE_URL: mux.url,
          MUX_STREAM_BASE_URL: mux.streamBaseUrl,
          DATABASE_PATH: join(dir, `poller-${label}.db`),
          ENCRYPTION_KEY: BENCH_CREDENTIALS.encryptionKey,
          LOG_LEVEL: "warn",
        },
      }),
    ],
    // Compiled, as the installed package runs: tsx's loader is not part of the service's memory.
    { compiled: true, service: !options.unbounded },
  );
  try {
    const pass = async (kind: PassRequest["kind"]) => {
      mux.fake.resetStats();
      const report = await child.request<PassReport>({ kind } satisfies PassRequest, 600_000);
      const stats = mux.fake.stats();
      console.error(
        `  ${label} ${kind}: ${report.wallSeconds} s, ${stats.listCalls} list + ${stats.retrieveCalls} get, RSS ${report.rssBeforeMiB} → ${report.rssPeakDuringMiB} MiB`,
      );
      return {
        ...report,
        listCalls: stats.listCalls,
        retrieveCalls: stats.retrieveCalls,
        rateLimited: stats.rateLimited,
      };
    };
    const initial = await pass("initial");
    for (let i = 0; i < NEW_ASSETS; i++) mux.fake.createAsset({ status: "ready", mp4Support: "standard" });
    const incremental = await pass("scheduled");
    return { assets: size, startRssMiB: child.ready.rssMiB, initial, incremental };
  } finally {
    await child.stop();
  }
}

/**
 * The fake's seeded library mix (`librarySpecs`, as `generateLibrary` uses), except that at most
 * MAX_PREPARING assets are still preparing. The generator makes 7 % of any library preparing,
 * all created in the last two minutes — 7,000 uploads in two minutes at 100k — which would put
 * them all inside the incremental pass's 300 s overlap and make it page through them.
 */
function createLibrary(mux: RunningFakeMux, size: number): void {
  let preparing = 0;
  for (const { kind, spec } of librarySpecs(size, seededRandom(11), Date.now())) {
    if (kind === "preparing" && ++preparing > MAX_PREPARING) {
      // Spread over the library's 90 days instead, as ready assets.
      const ageSeconds = 86_400 + ((preparing * 7_919) % (89 * 86_400));
      mux.fake.createAsset({ ...spec, status: "ready", createdAt: Date.now() - ageSeconds * 1000 });
    } else {
      mux.fake.createAsset(spec);
    }
  }
}

await main();
