/**
 * Where benchmark results live and how they are shaped: one JSON file per benchmark in
 * `bench/results/`, each carrying the command that reproduces it, so `bench/report.ts` can
 * write BENCHMARKS.md from the files alone (no hand-typed numbers).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = resolve(BENCH_DIR, "..");
export const RESULTS_DIR = join(BENCH_DIR, "results");

export type BenchmarkName =
  | "webhook-ingest"
  | "end-to-end"
  | "queue"
  | "poller"
  | "download"
  | "scale"
  | "startup";

export const BENCHMARKS: readonly BenchmarkName[] = [
  "webhook-ingest",
  "end-to-end",
  "queue",
  "poller",
  "download",
  "scale",
  "startup",
];

export type ResultFile<T> = {
  benchmark: BenchmarkName;
  /** Reproduces exactly this file. */
  command: string;
  startedAt: string;
  wallSeconds: number;
  /** 1-minute load average before and after: how busy the machine was (2 cores: > 2 means queueing). */
  loadAverage: { before: number; after: number };
  /** How the benchmark was run, in sentences (printed in BENCHMARKS.md). */
  method: string[];
  data: T;
};

export function commandFor(benchmark: BenchmarkName): string {
  return `npm run bench -- ${benchmark}`;
}

/** Times `body` and writes its result file; returns the file's content. */
export async function recordBenchmark<T>(
  benchmark: BenchmarkName,
  method: string[],
  body: () => Promise<T>,
): Promise<ResultFile<T>> {
  const started = Date.now();
  const before = loadavg()[0] ?? 0;
  const data = await body();
  const result: ResultFile<T> = {
    benchmark,
    command: commandFor(benchmark),
    startedAt: new Date(started).toISOString(),
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    loadAverage: { before, after: loadavg()[0] ?? 0 },
    method,
    data,
  };
  writeResult(`${benchmark}.json`, result);
  return result;
}

export function writeResult(fileName: string, content: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, fileName), `${JSON.stringify(content, null, 2)}\n`);
}

/** Reads a result file, or null when that benchmark has not been run. */
export function readResult<T>(fileName: string): T | null {
  try {
    return JSON.parse(readFileSync(join(RESULTS_DIR, fileName), "utf8")) as T;
  } catch {
    return null;
  }
}
