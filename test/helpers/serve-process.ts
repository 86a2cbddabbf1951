/**
 * Runs `mux-ingest serve` as a real child process (through bin/mux-ingest.js), waits until it
 * listens, and keeps its log lines for assertions.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "../../bin/mux-ingest.js");

export type ServeProcess = {
  url: string;
  process: ChildProcess;
  lines: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export type ServeOptions = {
  /** The `mux-ingest` executable to run (default: the repository's `bin/mux-ingest.js`). */
  bin?: string;
  /** Its working directory (default: this process's). */
  cwd?: string;
};

export async function startServe(
  env: Record<string, string>,
  timeoutMs = 30_000,
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [options.bin ?? BIN, "serve"], {
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "debug", ...env },
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start:\n${lines.join("\n")}`)), timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      if (line.includes('"mux-ingest listening"')) {
        clearTimeout(timer);
        done(JSON.parse(line).url);
      }
    };
    collectLines(child.stdout, onLine);
    collectLines(child.stderr, onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code} before listening:\n${lines.join("\n")}`));
    });
  });
  return {
    url,
    process: child,
    lines,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function collectLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffer = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    buffer += chunk;
    let index = buffer.indexOf("\n");
    while (index >= 0) {
      onLine(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
      index = buffer.indexOf("\n");
    }
  });
}
