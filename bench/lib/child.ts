/**
 * Runs a part of a benchmark in its own Node process (through tsx, or compiled ahead of time as
 * the installed package is), so its CPU time, heap and peak RSS are its own: the load generator,
 * the fake Mux and the measured code never share a process. Parent and child talk over the IPC
 * channel with small JSON messages.
 */
import { type ChildProcess, fork } from "node:child_process";
import { basename, join } from "node:path";
import { YOUNG_GENERATION_FLAG } from "../../src/node/heap-policy";
import type { MemoryPeaks } from "./result-types";
import { BENCH_DIR, REPO_DIR } from "./results";

type ChildMessage =
  | { kind: "ready"; data: unknown }
  | { kind: "reply"; id: number; data: unknown }
  | { kind: "failed"; id: number | null; message: string };

type ParentMessage = { kind: "request"; id: number; data: unknown } | { kind: "stop" };

export type ChildOptions = {
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  env?: Record<string, string>;
  /** The child's stdout. Servers log a JSON line per request: sending it to /dev/null keeps the
   * cost of writing the line (as in production) without a pipe that could fill up. */
  stdout?: "ignore" | "inherit";
  /** How long to wait for the child's `ready`. */
  startTimeoutMs?: number;
  /**
   * Bundle the script with esbuild (as `npm run build` bundles `dist/`, dependencies external)
   * and run it on plain `node`: what an installed package runs, without tsx's loader in memory.
   */
  compiled?: boolean;
  /**
   * The child runs mux-ingest's services: node starts with the flags the installed command
   * starts it with (`YOUNG_GENERATION_FLAG`, src/node/heap-policy.ts), so the benchmark measures
   * what users run. `BENCH_SERVICE_FLAGS=off` in the bench's environment leaves them out, to
   * measure what they cost.
   */
  service?: boolean;
};

/** Where compiled children go: inside the repository, so the package root (migrations) is found. */
const COMPILED_DIR = join(REPO_DIR, ".perf", "bench-children");

async function compileChild(script: string): Promise<string> {
  // Imported here, not at the top: the compiled child imports this module too, and must not load esbuild.
  const { build } = await import("esbuild");
  const outfile = join(COMPILED_DIR, `${basename(script, ".ts")}.mjs`);
  await build({
    absWorkingDir: REPO_DIR,
    entryPoints: [join(BENCH_DIR, script)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
    logLevel: "warning",
  });
  return outfile;
}

/** The node flags a service child starts with (none with `BENCH_SERVICE_FLAGS=off`). */
export function serviceNodeFlags(): string[] {
  return process.env.BENCH_SERVICE_FLAGS === "off" ? [] : [YOUNG_GENERATION_FLAG];
}

export type ChildHandle<Ready> = {
  ready: Ready;
  pid: number;
  request<Reply>(data: unknown, timeoutMs?: number): Promise<Reply>;
  /** Asks the child to clean up and exit; resolves with its exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
};

/** Starts `bench/<script>` and waits for it to report ready. */
export async function startChild<Ready>(
  script: string,
  args: string[],
  options: ChildOptions = {},
): Promise<ChildHandle<Ready>> {
  const entry = options.compiled ? await compileChild(script) : join(BENCH_DIR, script);
  const child = fork(entry, args, {
    cwd: REPO_DIR,
    execArgv: [
      ...(options.service ? serviceNodeFlags() : []),
      ...(options.nodeFlags ?? []),
      ...(options.compiled ? [] : ["--import", "tsx"]),
    ],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", options.stdout ?? "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pending = new Map<number, { resolve: (data: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;

  const ready = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${options.startTimeoutMs ?? 60_000} ms`)),
      options.startTimeoutMs ?? 60_000,
    );
    child.on("message", (raw) => {
      const message = raw as ChildMessage;
      if (message.kind === "ready") {
        clearTimeout(timer);
        resolve(message.data);
      } else if (message.kind === "reply") {
        pending.get(message.id)?.resolve(message.data);
        pending.delete(message.id);
      } else if (message.kind === "failed") {
        const error = new Error(`${script}: ${message.message}`);
        if (message.id === null) {
          clearTimeout(timer);
          reject(error);
        } else {
          pending.get(message.id)?.reject(error);
          pending.delete(message.id);
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready`));
      for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited with code ${code}`));
    });
  });

  return {
    ready: ready as Ready,
    pid: child.pid ?? -1,
    request: <Reply>(data: unknown, timeoutMs = 300_000) =>
      new Promise<Reply>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (reply) => {
            clearTimeout(timer);
            resolve(reply as Reply);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        send(child, { kind: "request", id, data });
      }),
    stop: async (timeoutMs = 30_000) => {
      if (child.exitCode !== null) return child.exitCode;
      send(child, { kind: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function send(child: ChildProcess, message: ParentMessage): void {
  if (child.connected) child.send(message);
}

/**
 * The child's side: reports `ready`, answers requests with `handle`, and on `stop` runs
 * `shutdown` and exits (a normal exit, so `--cpu-prof` writes its profile).
 */
export function serveParent(options: {
  ready: unknown;
  handle?: (data: unknown) => Promise<unknown>;
  shutdown?: () => Promise<void>;
}): void {
  const reply = (message: ChildMessage) => process.send?.(message);
  process.on("message", (raw) => {
    const message = raw as ParentMessage;
    if (message.kind === "stop") {
      void (options.shutdown ?? (async () => {}))().finally(() => process.exit(0));
      return;
    }
    const handle = options.handle ?? (async () => null);
    handle(message.data).then(
      (data) => reply({ kind: "reply", id: message.id, data }),
      (error: unknown) =>
        reply({
          kind: "failed",
          id: message.id,
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  // The parent died: do not linger.
  process.on("disconnect", () => process.exit(1));
  reply({ kind: "ready", data: options.ready });
}

/** Reports a start-up failure to the parent and exits. */
export function failStart(error: unknown): void {
  const message: ChildMessage = {
    kind: "failed",
    id: null,
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
  // Exit only once the message is flushed: IPC sends are asynchronous.
  if (process.send) process.send(message, () => process.exit(1));
  else process.exit(1);
}

/** Peak resident set size of this process so far, in MiB (`ru_maxrss`, in KiB on Linux). */
export function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

export function rssMiB(): number {
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

/** CPU time (user + system) this process has used so far, in ms. */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Samples RSS and heap every 25 ms from now; `stop()` returns the peaks, rounded to 0.1 MiB. */
export function sampleMemory(): { stop(): MemoryPeaks } {
  const rssBeforeMiB = rssMiB();
  let rssPeak = rssBeforeMiB;
  let heapPeak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss / 2 ** 20);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
  }, 25);
  return {
    stop() {
      clearInterval(sampler);
      return {
        rssBeforeMiB,
        rssPeakDuringMiB: Math.round(rssPeak * 10) / 10,
        heapUsedPeakMiB: Math.round((heapPeak / 2 ** 20) * 10) / 10,
        processPeakRssMiB: peakRssMiB(),
      };
    },
  };
}
