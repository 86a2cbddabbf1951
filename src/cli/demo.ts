import { parseArgs } from "node:util";
import { runDemo } from "../demo/run-demo";
import { writeRaw } from "./output";

export async function runDemoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      assets: { type: "string", default: "60" },
      live: { type: "string", default: "6" },
      seed: { type: "string", default: "42" },
      download: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      timeout: { type: "string", default: "90" },
    },
  });
  const number = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got "${value}")`);
    return n;
  };
  return runDemo({
    assets: number("assets", values.assets),
    live: number("live", values.live),
    seed: number("seed", values.seed),
    download: values.download,
    keep: values.keep,
    timeoutMs: number("timeout", values.timeout) * 1000,
    write: (text) => writeRaw(process.stdout, text),
    isTTY: Boolean(process.stdout.isTTY),
    untilStopped: () =>
      new Promise((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      }),
  });
}
