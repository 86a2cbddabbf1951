/**
 * Benchmark 5: downloading a ~1 GiB MP4 rendition from the fake Mux into STORAGE_DIR through
 * the real jobs (ingest resolves the rendition and enqueues the download; the download job
 * streams it through `FileSystemStorage.put`: temporary file, sha256, byte count, rename).
 * The fake serves deterministic bytes without buffering from this process; the download runs in
 * a child process (bench/download-run.ts), so its peak RSS is the download's own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeMux } from "../src/fake-mux/index";
import type { DownloadReport } from "./download-run";
import { startChild } from "./lib/child";
import { BENCH_CREDENTIALS } from "./lib/ingest-node";
import type { DownloadData } from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import { round } from "./lib/stats";

const TARGET_BYTES = 2 ** 30;
/**
 * The fake sizes a legacy `low.mp4` of a 640x360 source at ~2.4 bits per pixel plus 128 kb/s of
 * audio (src/fake-mux/renditions.ts): 680,960 bit/s, 85,120 bytes per second of video.
 */
const LOW_MP4_BYTES_PER_SECOND = (640 * 360 * 2.4 + 128_000) / 8;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-bench-download-"));
  try {
    await recordBenchmark<DownloadData>(
      "download",
      [
        `The fake Mux (this process) holds one ready asset whose \`low.mp4\` (the default first choice) advertises about 1 GiB; it streams deterministic bytes chunk by chunk with Content-Length.`,
        `mux-ingest's services run in a child process with STORAGE_DIR on the local disk: the ingest job GETs the asset and resolves the rendition, the download job fetches it and streams it through FileSystemStorage.put (temporary file, sha256 and byte count on the way, atomic rename), checking the size against Content-Length and the asset's filesize.`,
        `Throughput = bytes / the download job's duration. Memory: RSS sampled every 25 ms in the child, and its ru_maxrss. Both processes share the machine, so generating the bytes competes with storing them.`,
      ],
      () => measure(dir),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<DownloadData> {
  const mux = await startFakeMux({
    seed: 5,
    tokenId: BENCH_CREDENTIALS.tokenId,
    tokenSecret: BENCH_CREDENTIALS.tokenSecret,
    webhookSecret: BENCH_CREDENTIALS.webhookSecret,
    webhookUrl: null,
    rateLimit: null,
  });
  try {
    const asset = mux.fake.createAsset({
      status: "ready",
      renditionsReady: true,
      mp4Support: "standard",
      width: 640,
      height: 360,
      duration: Math.round(TARGET_BYTES / LOW_MP4_BYTES_PER_SECOND),
      meta: { title: "A long recording" },
    });
    const low = asset.static_renditions?.files?.find((file) => file.name === "low.mp4");
    const advertisedBytes = Number(low?.filesize ?? 0);
    const child = await startChild<{ rssMiB: number }>(
      "download-run.ts",
      [
        JSON.stringify({
          assetId: asset.id,
          env: {
            MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
            MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
            MUX_BASE_URL: mux.url,
            MUX_STREAM_BASE_URL: mux.streamBaseUrl,
            DATABASE_PATH: join(dir, "download.db"),
            STORAGE_DIR: join(dir, "storage"),
            ENCRYPTION_KEY: BENCH_CREDENTIALS.encryptionKey,
            LOG_LEVEL: "warn",
          },
        }),
      ],
      { service: true },
    );
    try {
      const report = await child.request<DownloadReport>({}, 420_000);
      if (report.bytes !== advertisedBytes) {
        throw new Error(
          `Downloaded ${report.bytes} bytes, expected ${advertisedBytes} (state ${report.state})`,
        );
      }
      console.error(
        `  ${report.bytes} bytes in ${report.downloadSeconds} s, RSS ${report.rssBeforeMiB} → ${report.rssPeakDuringMiB} MiB`,
      );
      return {
        ...report,
        advertisedBytes,
        startRssMiB: child.ready.rssMiB,
        mibPerSecond: round(report.bytes / 2 ** 20 / report.downloadSeconds, 1),
        streamRequests: mux.fake.stats().downloads.requests,
      };
    } finally {
      await child.stop();
    }
  } finally {
    await mux.close();
  }
}

await main();
