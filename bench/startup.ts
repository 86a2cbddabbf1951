/**
 * Benchmark: start-up of the installed package. Packs the repository and installs the tarball
 * into an empty folder exactly as the install test and the Dockerfile do
 * (`scripts/packed-install.ts`), then measures, in the same run, the installed build against the
 * sources run through tsx (what the `bin` did before the build):
 *   - `mux-ingest --help`: wall time and peak RSS over repeated runs;
 *   - `mux-ingest serve` idle: RSS sampled once a second for a minute after it listens, with a
 *     default connection to an empty fake Mux library (its start-up pass done) and the admin API on.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packAndInstall, REPO_DIR, run } from "../scripts/packed-install";
import { startFakeMux } from "../src/fake-mux/index";
import { BENCH_CREDENTIALS } from "./lib/ingest-node";
import type { StartupData, StartupSide } from "./lib/result-types";
import { recordBenchmark } from "./lib/results";
import { median, round } from "./lib/stats";

const HELP_RUNS = 15;
const IDLE_SECONDS = 60;

type Launch = { label: string; command: string; args: string[]; cwd: string };

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "mux-ingest-bench-startup-"));
  try {
    await recordBenchmark<StartupData>(
      "startup",
      [
        "The package is packed (`npm pack`, which builds `dist/`) and installed with `npm install --omit=dev` into an empty folder, as the install test and the Dockerfile do; the installed `node_modules/.bin/mux-ingest` runs on plain node.",
        `For comparison, in the same run: the sources through tsx's loader (\`node --import tsx src/cli.ts\`, what the bin ran before the build).`,
        `\`--help\`: ${HELP_RUNS} runs each, wall time from spawn to exit and the child's peak RSS (GNU time's %M).`,
        `\`serve\` idle: a default connection to an empty fake Mux library and ADMIN_TOKEN set; RSS (VmRSS) sampled every second for ${IDLE_SECONDS} s after it listens.`,
      ],
      async () => {
        const installed = await packAndInstall(root);
        console.error(`  packed in ${installed.packSeconds} s, installed in ${installed.installSeconds} s`);
        const sides: Launch[] = [
          {
            label: "installed package",
            command: process.execPath,
            args: [installed.bin],
            cwd: installed.app,
          },
          {
            label: "sources through tsx",
            command: process.execPath,
            args: ["--import", "tsx", join(REPO_DIR, "src/cli.ts")],
            cwd: REPO_DIR,
          },
        ];
        const results: StartupSide[] = [];
        for (const side of sides) {
          const help = await helpTimes(side);
          const idle = await serveIdle(side, join(root, `${results.length}.db`));
          results.push({ label: side.label, help, idle });
          console.error(
            `  ${side.label}: --help p50 ${help.wallSecondsP50} s, ${help.peakRssMiB} MiB; serve idle ${idle.rssMiBAt10s} → ${idle.rssMiBAt60s} MiB (max ${idle.rssMiBMax})`,
          );
        }
        return {
          installSeconds: installed.installSeconds,
          tarballKiB: round(Number(readFileSync(installed.tarball).length) / 1024, 0),
          sides: results,
          goals: { helpWallSeconds: 0.4, serveIdleRssMiB: 90 },
        };
      },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function helpTimes(side: Launch): Promise<StartupSide["help"]> {
  const walls: number[] = [];
  const peaks: number[] = [];
  for (let i = 0; i < HELP_RUNS; i++) {
    const result = await run("/usr/bin/time", ["-f", "%M", side.command, ...side.args, "--help"], side.cwd, {
      PATH: process.env.PATH ?? "",
    });
    if (result.code !== 0) throw new Error(`--help failed: ${result.stderr}`);
    walls.push(result.seconds);
    peaks.push(Number(result.stderr.trim().split("\n").at(-1)) / 1024);
  }
  return {
    runs: HELP_RUNS,
    wallSecondsP50: round(median(walls), 3),
    wallSecondsMin: round(Math.min(...walls), 3),
    peakRssMiB: round(median(peaks), 1),
  };
}

async function serveIdle(side: Launch, databasePath: string): Promise<StartupSide["idle"]> {
  const mux = await startFakeMux({
    tokenId: BENCH_CREDENTIALS.tokenId,
    tokenSecret: BENCH_CREDENTIALS.tokenSecret,
    webhookSecret: BENCH_CREDENTIALS.webhookSecret,
    webhookUrl: null,
    rateLimit: null,
  });
  const child = spawn(side.command, [...side.args, "serve"], {
    cwd: side.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      MUX_TOKEN_ID: BENCH_CREDENTIALS.tokenId,
      MUX_TOKEN_SECRET: BENCH_CREDENTIALS.tokenSecret,
      MUX_WEBHOOK_SECRET: BENCH_CREDENTIALS.webhookSecret,
      MUX_BASE_URL: mux.url,
      MUX_STREAM_BASE_URL: mux.streamBaseUrl,
      DATABASE_PATH: databasePath,
      ENCRYPTION_KEY: BENCH_CREDENTIALS.encryptionKey,
      ADMIN_TOKEN: "bench-admin-token-0123456789",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    await new Promise<void>((listening, failed) => {
      let log = "";
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('"mux-ingest listening"')) listening();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => failed(new Error(`serve exited with ${code}:\n${log}`)));
    });
    const samples: number[] = [];
    for (let s = 1; s <= IDLE_SECONDS; s++) {
      await new Promise((tick) => setTimeout(tick, 1000));
      samples.push(vmRssMiB(child.pid as number));
    }
    return {
      rssMiBAt10s: round(samples[9] as number, 1),
      rssMiBAt60s: round(samples.at(-1) as number, 1),
      rssMiBMax: round(Math.max(...samples), 1),
      rssMiBMin: round(Math.min(...samples), 1),
      listCalls: mux.fake.stats().listCalls,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((exited) => child.once("close", exited));
    await mux.close();
  }
}

function vmRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

await main();
