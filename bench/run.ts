/**
 * `npm run bench [-- name…]`: runs the benchmarks one after another, each in its own Node
 * process (a clean heap, and none inherits another's JIT state or open handles), writes the
 * machine description and the run's timing next to their results, then regenerates
 * BENCHMARKS.md from bench/results/*.json. Never part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describeMachine } from "./lib/machine";
import { BENCH_DIR, BENCHMARKS, type BenchmarkName, REPO_DIR, writeResult } from "./lib/results";
import { writeReport } from "./report";

export type RunSummary = {
  benchmarks: Array<{ name: BenchmarkName; seconds: number; exitCode: number | null }>;
  totalSeconds: number;
  complete: boolean;
};

/** A benchmark may not take longer than this, unless it is named below. */
const PER_BENCHMARK_TIMEOUT_MS = 5 * 60_000;
/**
 * Longer for the two that prepare first: `startup` packs and installs the package (the install
 * compiles better-sqlite3), `scale` writes a database of several GB (a million objects, ten
 * million webhook events, three million deliveries).
 */
const LONGER_TIMEOUT_MS: Partial<Record<BenchmarkName, number>> = {
  startup: 20 * 60_000,
  scale: 30 * 60_000,
};

function main(): number {
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const unknown = requested.filter((name) => !BENCHMARKS.includes(name as BenchmarkName));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Choose from: ${BENCHMARKS.join(", ")}`);
    return 2;
  }
  const names = requested.length > 0 ? (requested as BenchmarkName[]) : [...BENCHMARKS];
  const started = performance.now();
  writeResult("machine.json", describeMachine());

  const summary: RunSummary = {
    benchmarks: [],
    totalSeconds: 0,
    complete: names.length === BENCHMARKS.length,
  };
  for (const name of names) {
    console.error(`\n▶ ${name}`);
    const benchStarted = performance.now();
    const result = spawnSync(process.execPath, ["--import", "tsx", join(BENCH_DIR, `${name}.ts`)], {
      cwd: REPO_DIR,
      stdio: "inherit",
      timeout: LONGER_TIMEOUT_MS[name] ?? PER_BENCHMARK_TIMEOUT_MS,
    });
    const seconds = Math.round((performance.now() - benchStarted) / 100) / 10;
    summary.benchmarks.push({ name, seconds, exitCode: result.status });
    console.error(
      `  ${name}: ${result.status === 0 ? "done" : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds} s`,
    );
  }
  summary.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  // A partial run (`npm run bench -- queue`) keeps the full run's timing.
  if (summary.complete) writeResult("run.json", summary);

  writeReport();
  console.error(`\nBENCHMARKS.md regenerated; ${names.length} benchmark(s) in ${summary.totalSeconds} s.`);
  return summary.benchmarks.every((b) => b.exitCode === 0) ? 0 : 1;
}

process.exitCode = main();
