/**
 * The scale benchmark's measuring helpers: a timed HTTP read (every answer but a 200 logged and
 * counted), repetition within a time budget, latency figures, the server's I/O per unit of work,
 * a profiled window, and the database file's size.
 */
import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { IoCounters, ScaleServerRequest } from "../servers/scale-server";
import { summariseProfile } from "./cpu-profile";
import type { IoPerUnit, LatencyFigures, ProfiledWindow } from "./scale-result";
import { distribution, round } from "./stats";

export type Ask = <T>(request: ScaleServerRequest) => Promise<T>;

export function perUnit(before: IoCounters, after: IoCounters, units: number): IoPerUnit {
  const per = (a: number, b: number, scale = 1) => round((a - b) / scale / Math.max(1, units), 2);
  return {
    readKiB: per(after.rchar, before.rchar, 1024),
    writeKiB: per(after.wchar, before.wchar, 1024),
    reads: per(after.syscr, before.syscr),
    writes: per(after.syscw, before.syscw),
  };
}

/** Runs `body` with the server's CPU profiler on, and summarises the profile. */
export async function profiled(
  ask: Ask,
  path: string,
  body: () => Promise<{ units: number; how: string }>,
): Promise<ProfiledWindow> {
  await ask({ op: "profile-start" });
  const { units, how } = await body();
  await ask({ op: "profile-stop", path });
  return { how, units, ...summariseProfile(path) };
}

/** A request's time; a failed one (refused, reset, not 200) counts at the time it took to fail, and is logged. */
export async function timed(
  target: string,
  headers: Record<string, string> = {},
  failures: { count: number } = { count: 0 },
): Promise<number> {
  const t = performance.now();
  try {
    const response = await fetch(target, { headers, redirect: "manual" });
    await response.arrayBuffer();
    if (response.status !== 200) {
      failures.count++;
      console.error(`  ${target}: HTTP ${response.status}`);
    }
  } catch (err) {
    failures.count++;
    console.error(`  ${target}: ${String((err as Error).cause ?? err)}`);
  }
  return performance.now() - t;
}

/** How long one kind of read may take in all: a slow read is reported with fewer samples, not waited out. */
const PHASE_BUDGET_MS = 60_000;

export async function repeat(times: number, body: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + PHASE_BUDGET_MS;
  for (let i = 0; i < times && performance.now() < deadline; i++) samples.push(await body());
  return samples;
}

export function figures(samples: number[]): LatencyFigures {
  const d = distribution(samples);
  return { n: samples.length, p50: round(d.p50, 2), p99: round(d.p99, 2), max: round(d.max, 2) };
}

export function fileMiB(path: string): number {
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
