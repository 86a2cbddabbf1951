/**
 * Where the event loop's long stalls went, from Linux's per-thread scheduler statistics.
 *
 * `monitorEventLoopDelay` says how late the loop was, not why. On a shared machine a late loop
 * is one of: the main thread running (this process's JavaScript, its collections, native code
 * such as SQLite), the main thread runnable but waiting for a CPU that other processes hold, or
 * the main thread off a CPU and not runnable (a blocking system call or lock, or the host
 * holding the virtual CPU). `/proc/self/task/<tid>/schedstat` gives the first two in ns (time on
 * a CPU; time on a run queue, waiting), so a timer that reads them every tick can split each
 * stall it sees. With paravirtual time accounting (the kernels of this workplace) time stolen by
 * the host is not counted as running; `/proc/stat`'s `steal` (10 ms units) is read beside it.
 *
 * The process's other threads (SQLite's checkpointer, V8's collector helpers, libuv's pool) are
 * summed too: their running time in a stall is this process's work competing for the machine's
 * cores with its own main thread.
 */
import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { round } from "./stats";

/**
 * One stall: the wall time between the two ticks around it (at least the stall's length, at most
 * one tick more), and how the main thread spent that time.
 */
export type Stall = {
  gapMs: number;
  /** The main thread on a CPU: this process's own work, blocking the loop. */
  runMs: number;
  /** The main thread runnable, waiting for a CPU. */
  waitMs: number;
  /** Neither: a blocking system call or lock, the host holding the CPU, or the tick's own wait. */
  offMs: number;
  /** `/proc/stat` steal over all CPUs in the stall (10 ms resolution). */
  stealMs: number;
  /** The process's other threads on a CPU meanwhile. */
  otherThreadsMs: number;
  /** V8's collection pauses (`gc` performance entries) within the stall: part of `runMs`. */
  gcMs: number;
  /** The monotonic clock at the stall's end (µs, `process.hrtime`; a V8 CPU profile's time base). */
  endUs: number;
};

/** The stalls of one window: how many, and the worst by each measure. */
export type StallSummary = {
  /** Gaps between ticks of at least `thresholdMs`. */
  count: number;
  thresholdMs: number;
  longest?: Stall;
  /** The stall with the most main-thread running time. */
  mostRunning?: Stall;
  /** The stall with the most off-CPU time. */
  mostOff?: Stall;
};

/**
 * Collects the stalls it is given that ended after its last `reset()` (a stall is reported a
 * little after it ends, so one from before the reset can arrive after it).
 */
export function stallWindow(thresholdMs: number) {
  let stalls: Stall[] = [];
  let sinceUs = monotonicUs();
  const worst = (key: keyof Stall) =>
    stalls.reduce<Stall | undefined>(
      (best, s) => (best === undefined || s[key] > best[key] ? s : best),
      undefined,
    );
  return {
    add: (stall: Stall) => {
      if (stall.endUs > sinceUs) stalls.push(stall);
    },
    reset: () => {
      stalls = [];
      sinceUs = monotonicUs();
    },
    summary: (): StallSummary => ({
      count: stalls.length,
      thresholdMs,
      longest: worst("gapMs"),
      mostRunning: worst("runMs"),
      mostOff: worst("offMs"),
    }),
  };
}

const TICK_MS = 5;
const RELIST_EVERY_TICKS = 200;
const USER_HZ_MS = 10;
const REPORT_AFTER_MS = 250;

type ThreadTimes = { runNs: number; waitNs: number };

/** Reads one thread's `schedstat` through an open descriptor (a positioned read from 0 re-reads it). */
function schedstatReader(path: string) {
  const buffer = Buffer.alloc(128);
  const fd = openSync(path, "r");
  return {
    read(): ThreadTimes | null {
      try {
        const length = readSync(fd, buffer, 0, buffer.length, 0);
        const [run, wait] = buffer.toString("latin1", 0, length).split(" ");
        return { runNs: Number(run), waitNs: Number(wait) };
      } catch {
        return null;
      }
    },
    close: () => closeSync(fd),
  };
}

function stealMs(statFd: number, buffer: Buffer): number {
  const length = readSync(statFd, buffer, 0, buffer.length, 0);
  const firstLine = buffer.toString("latin1", 0, Math.min(length, 256)).split("\n", 1)[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  return Number(firstLine.trim().split(/\s+/)[8] ?? 0) * USER_HZ_MS;
}

/**
 * Calls `onStall` for every gap of at least `thresholdMs` between two ticks of a 5 ms timer (so
 * every stall of the event loop that long, and some up to one tick shorter) until `stop()`.
 * Returns null where the kernel offers no per-thread scheduler statistics.
 */
export function watchStalls(thresholdMs: number, onStall: (stall: Stall) => void) {
  let main: ReturnType<typeof schedstatReader>;
  try {
    main = schedstatReader(`/proc/self/task/${process.pid}/schedstat`);
  } catch {
    return null;
  }
  const statFd = openSync("/proc/stat", "r");
  const statBuffer = Buffer.alloc(4096);
  let others = new Map<string, ReturnType<typeof schedstatReader>>();
  const relist = () => {
    const next = new Map<string, ReturnType<typeof schedstatReader>>();
    for (const tid of readdirSync("/proc/self/task")) {
      if (tid === String(process.pid)) continue;
      const known = others.get(tid);
      if (known) next.set(tid, known);
      else
        try {
          next.set(tid, schedstatReader(`/proc/self/task/${tid}/schedstat`));
        } catch {
          // The thread ended between the listing and the open.
        }
    }
    for (const [tid, reader] of others) if (!next.has(tid)) reader.close();
    others = next;
  };
  const othersRunNs = () => {
    let sum = 0;
    for (const reader of others.values()) sum += reader.read()?.runNs ?? 0;
    return sum;
  };
  const sample = () => ({
    at: performance.now(),
    ...(main.read() ?? { runNs: 0, waitNs: 0 }),
    othersNs: othersRunNs(),
    steal: stealMs(statFd, statBuffer),
  });

  // Collection pauses of the last second, for the stall they fall in.
  let pauses: Array<{ start: number; end: number }> = [];
  const pausedWithin = (from: number, to: number) => {
    let ms = 0;
    for (const p of pauses) ms += Math.max(0, Math.min(p.end, to) - Math.max(p.start, from));
    return ms;
  };

  const found: Array<{ from: number; to: number; stall: Stall }> = [];
  const report = (endedBefore: number) => {
    while (found[0] && found[0].to < endedBefore) {
      const { from, to, stall } = found.shift() as (typeof found)[number];
      onStall({ ...stall, gcMs: round(pausedWithin(from, to)) });
    }
  };
  let ticks = 0;
  relist();
  let last = sample();
  const timer = setInterval(() => {
    const now = sample();
    const wallMs = now.at - last.at;
    if (wallMs >= thresholdMs && now.runNs > 0) {
      const runMs = (now.runNs - last.runNs) / 1e6;
      const waitMs = (now.waitNs - last.waitNs) / 1e6;
      found.push({
        from: last.at,
        to: now.at,
        stall: {
          gapMs: round(wallMs),
          runMs: round(runMs),
          waitMs: round(waitMs),
          offMs: round(Math.max(0, wallMs - runMs - waitMs)),
          stealMs: now.steal - last.steal,
          otherThreadsMs: round(Math.max(0, now.othersNs - last.othersNs) / 1e6),
          gcMs: 0,
          endUs: monotonicUs(),
        },
      });
    }
    // A pause's entry reaches its observer after the pause: a stall is reported once that has had time.
    report(now.at - REPORT_AFTER_MS);
    pauses = pauses.filter((p) => p.end > now.at - 2000);
    last = now;
    if (++ticks % RELIST_EVERY_TICKS === 0) {
      relist();
      last.othersNs = othersRunNs();
    }
  }, TICK_MS);
  timer.unref();
  return {
    /** Reports every stall found so far (their pauses as observed by now), before a window is read. */
    flush: () => report(Number.POSITIVE_INFINITY),
    /** A collection pause, from its `gc` performance entry. */
    gcPause(startTime: number, durationMs: number) {
      pauses.push({ start: startTime, end: startTime + durationMs });
    },
    stop() {
      clearInterval(timer);
      main.close();
      for (const reader of others.values()) reader.close();
      closeSync(statFd);
    },
  };
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
