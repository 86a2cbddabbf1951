/**
 * The world of a lifecycle test: the service wired to the fake Mux (in-process), a recording
 * pipeline behind msw, and the verbs those tests speak (settle, pass, the admin API, the sync's
 * row). `close()` also removes the storage directory when one was asked for.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import type { RunKind } from "../../src/db/schema";
import type { FakeMuxOptions } from "../../src/fake-mux/index";
import { schedulePass } from "../../src/jobs/reconcile";
import { ADMIN_TOKEN } from "./admin-api";
import { type HarnessOptions, TEST_PIPELINE_SECRET } from "./harness";
import { network } from "./no-network";
import { PipelineRecorder } from "./pipeline-receiver";
import { createFakeMuxHarness, type FakeMuxHarness } from "./with-fake-mux";

export const PIPELINE_URL = "https://pipeline.test/hooks";

export type PipelineWorld = FakeMuxHarness & {
  pipeline: PipelineRecorder;
  storageDir: string | null;
  /** Webhooks in, jobs run, the fake's pending steps done, and again for what they caused. */
  settle(): Promise<void>;
  /** Queues a pass of the default sync and runs every job. */
  pass(kind?: RunKind): Promise<void>;
  /** Runs jobs until none is waiting, moving the clock past each backoff (a lost race is retried). */
  drainWithBackoff(rounds?: number): Promise<void>;
  api(method: string, path: string, body?: unknown): Promise<Response>;
  syncRow(): { status: string; suspension: string | null; status_reason: string | null };
};

export type PipelineWorldOptions = {
  env?: Record<string, string>;
  fake?: FakeMuxOptions;
  adjust?: HarnessOptions["adjust"];
  /** Give the service a storage directory (MP4s downloaded). */
  storage?: boolean;
  /** `manual`: the test answers the pipeline's requests itself (e.g. to hold one in flight). */
  pipeline?: "recording" | "manual";
  /** An open database to build on (e.g. one whose statements a test records). */
  database?: HarnessOptions["database"];
  /** The metrics adapter (e.g. Prometheus, as `serve` builds it). */
  metrics?: HarnessOptions["metrics"];
};

export async function createPipelineWorld(options: PipelineWorldOptions = {}): Promise<PipelineWorld> {
  const storageDir = options.storage ? mkdtempSync(join(tmpdir(), "mux-ingest-world-")) : null;
  const pipeline = new PipelineRecorder(TEST_PIPELINE_SECRET);
  const h = await createFakeMuxHarness({
    env: {
      PIPELINE_URL,
      PIPELINE_SECRET: TEST_PIPELINE_SECRET,
      ADMIN_TOKEN,
      ...(storageDir ? { STORAGE_DIR: storageDir } : {}),
      ...options.env,
    },
    fake: options.fake,
    adjust: options.adjust,
    database: options.database,
    metrics: options.metrics,
  });
  if (options.pipeline !== "manual") {
    network.use(
      http.post(
        PIPELINE_URL,
        async ({ request }) => new HttpResponse(null, { status: await pipeline.handle(request) }),
      ),
    );
  }
  const settle = async () => {
    await h.settleAll();
    await h.fake.settle();
    await h.settleAll();
  };
  return {
    ...h,
    pipeline,
    storageDir,
    settle,
    pass: async (kind = "full") => {
      await schedulePass(h.deps, "syn_default", kind);
      await h.runner.drain();
    },
    drainWithBackoff: async (rounds = 10) => {
      for (let i = 0; i < rounds; i++) {
        await h.runner.drain();
        const next = await h.deps.jobs.nextDueAt();
        if (next === null) return;
        h.clock.set(Math.max(h.clock.now(), next));
      }
    },
    api: async (method, path, body) =>
      h.app.request(path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    syncRow: () =>
      h.database.sqlite.prepare("select status, suspension, status_reason from syncs").get() as {
        status: string;
        suspension: string | null;
        status_reason: string | null;
      },
    close: () => {
      h.close();
      if (storageDir) rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
