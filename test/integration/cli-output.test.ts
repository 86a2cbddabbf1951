/**
 * No CLI output carries a control character from Mux or a pipeline. Text a command prints (the
 * `status` overview, a `sync --once` summary, `connections test` messages, errors, logs) goes
 * through `src/cli/output.ts`; for arbitrary strings in every text field of a real overview and a
 * real pass result, what reaches stdout/stderr holds no C0 (but `\n`), DEL, C1, bidi control or
 * line/paragraph separator, and `--json` still parses back to the very same strings.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logLine, say, sayJson, warn, writeRaw } from "../../src/cli/output";
import { createProgress } from "../../src/cli/progress";
import { formatOverview } from "../../src/cli/status";
import { formatResults } from "../../src/cli/sync-once";
import { jsonLogger } from "../../src/lib/logger";
import { testConnection } from "../../src/resources/connection-test";
import { readOverview } from "../../src/resources/overview";
import { passResult } from "../../src/resources/passes";
import { type AdminHarness, createAdminHarness, PIPELINE_URL } from "../helpers/admin-api";

let h: AdminHarness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
  vi.restoreAllMocks();
});

/** What a terminal must never receive from data: C0 but \n, DEL, C1, bidi controls, U+2028/9. */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const unsafeIn = (text: string) => [...text].filter((c) => c !== "\n" && UNSAFE.test(c));

/** Text an answer from Mux or a pipeline could carry: escapes that rewrite the screen, and the rest. */
const hostileText = fc.oneof(
  fc.constantFrom(
    "\u001b[2J\u001b[H",
    "\u001b]0;owned\u0007",
    "\u009b31m",
    "ok\rFAILED",
    "a\bb",
    "\u202eevil\u202c",
    "\u2066x\u2069",
    "line\u2028two",
    "tab\there",
    "nul\u0000",
    "\u007f",
  ),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
);

/** `value` with every string leaf replaced by one drawn from `texts` (in order, cycling). */
function withTexts<T>(value: T, texts: string[]): T {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return texts[i++ % texts.length];
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Captures what is written to stdout and stderr while `run` runs. */
async function captured(run: () => unknown): Promise<string> {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(record);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(record);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks.join("");
}

/** A real overview and pass result, with objects in several states, a failure and a connection test. */
async function realViews() {
  h = await createAdminHarness({ PIPELINE_URL, JOB_MAX_ATTEMPTS: "1" });
  h.pipelineAnswers(500);
  h.fake.createAsset({ status: "ready", mp4Support: "standard", meta: { title: "Cats" } });
  h.fake.createAsset({ status: "errored" });
  h.fake.createAsset({ status: "ready", playbackPolicies: [] });
  const trigger = await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger");
  const { run_id: runId } = (await trigger.json()) as { run_id: string };
  await h.runner.drain();
  await testConnection(h.deps, { id: "con_default" });
  const overview = await readOverview(h.deps);
  const result = await passResult(h.deps, { syncId: "syn_default", runId });
  expect(overview.recent_failures.length).toBeGreaterThan(0);
  expect(overview.connections[0]?.last_test).not.toBeNull();
  expect(result.run).not.toBeNull();
  return { overview, result };
}

describe("CLI output", () => {
  it("prints no control character from any text field of `status` and `sync --once`, and --json keeps the strings", async () => {
    const { overview, result } = await realViews();
    await fc.assert(
      fc.asyncProperty(fc.array(hostileText, { minLength: 1, maxLength: 12 }), async (texts) => {
        const hostileOverview = withTexts(overview, texts);
        const hostileResult = withTexts(result, texts);
        const human = await captured(() => {
          say(formatOverview(hostileOverview));
          say(formatResults([hostileResult], 1234, 7));
          warn(`✗ con_default: ${texts.join(" ")}`);
        });
        expect(unsafeIn(human)).toEqual([]);
        const json = await captured(() => {
          sayJson(hostileOverview);
          sayJson({ ok: false, syncs: [hostileResult] });
        });
        expect(unsafeIn(json)).toEqual([]);
        const [first, second] = json.trimEnd().split("\n}\n");
        expect(JSON.parse(`${first}\n}`)).toEqual(hostileOverview);
        expect(JSON.parse(String(second))).toEqual({ ok: false, syncs: [hostileResult] });
      }),
      { numRuns: 200 },
    );
  });

  it("keeps log lines, progress lines and the demo's writes free of control characters too", async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        const line = JSON.stringify({ level: "warn", msg: "Mux said", detail: text });
        const logged = await captured(() => logLine(line));
        expect(unsafeIn(logged)).toEqual([]);
        expect(JSON.parse(logged)).toEqual({ level: "warn", msg: "Mux said", detail: text });

        const demo = await captured(() => writeRaw(process.stdout, `\r${text}\n`));
        expect(unsafeIn(demo.replaceAll("\r", ""))).toEqual([]);
        expect(demo.startsWith("\r")).toBe(true);

        const writes: string[] = [];
        const stream = { isTTY: false, write: (chunk: string) => writes.push(chunk) };
        const progress = createProgress(stream as unknown as NodeJS.WriteStream, { plainEveryMs: 0 });
        progress.update(`pass running · ${text}`);
        expect(unsafeIn(writes.join(""))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("writes the service's own log lines (serve) free of control characters, the same document", () => {
    fc.assert(
      fc.property(hostileText, hostileText, (message, title) => {
        const lines: string[] = [];
        jsonLogger({ write: (line) => lines.push(line) }).warn(message, { title });
        const [line = ""] = lines;
        expect(unsafeIn(line)).toEqual([]);
        expect(JSON.parse(line)).toMatchObject({ msg: message, title });
      }),
      { numRuns: 300 },
    );
  });
});
