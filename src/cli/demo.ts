import { parseArgs } from "node:util";
import { runDemo } from "../demo/run-demo";
import type { Command } from "./command";
import { writeRaw } from "./output";

export const demoCommand: Command = {
  summary: "Run the main job against the bundled fake Mux",
  help: `Usage: mux-ingest demo [--assets N] [--live N] [--seed S] [--download] [--keep] [--timeout SECONDS]

Starts a fake Mux with a seeded library (the realistic mix), mux-ingest on a temporary database
and a local pipeline that verifies every delivery's signature, then runs the initial sync and the
live webhook flow. Exits 0 when every eligible asset is delivered and every other one carries its
reason.

  --assets N     library size (default 60)
  --live N       assets created while it runs (default 6)
  --seed S       library seed (default 42)
  --download     also download each MP4 into the temporary directory
  --keep         leave everything running (dashboard on http://127.0.0.1:8787/) until Ctrl-C
  --timeout S    give up after S seconds (default 90)`,
  async run(args) {
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
  },
};
