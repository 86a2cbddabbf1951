/**
 * A pass cut into runs (Workers: a few pages per invocation) keeps every part of it bounded: the
 * deletion check after a full sweep enqueues at most its share of the run's page budget, marks
 * what it enqueued, and the next run of the job continues it without listing the library again.
 */
import { eq } from "drizzle-orm";
import { http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { runs, syncs } from "../../src/db/schema";
import { checkUnseenForDeletion } from "../../src/jobs/reconcile-checks";
import { IDS_PER_QUERY } from "../../src/jobs/reconcile-enqueue";
import { network } from "../helpers/no-network";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

const LIBRARY = 250;
const GONE = 200;

/** A mirrored library of which GONE assets were then deleted in Mux with no webhook. */
async function shrunkLibrary(): Promise<void> {
  h = await createPipelineWorld({
    adjust: (settings) => {
      settings.reconcile.maxPagesPerRun = 1;
    },
  });
  const library = Array.from({ length: LIBRARY }, () =>
    h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
  );
  await h.pass("initial");
  h.fake.setFaults({ dropRate: 1 });
  for (const asset of library.slice(0, GONE)) h.fake.deleteAsset(asset.id);
  await h.fake.settle();
  h.clock.advance(60_000);
}

function ingestJobsOfRun(runId: string): number {
  const row = h.database.sqlite
    .prepare("SELECT COUNT(*) AS n FROM jobs WHERE type = 'ingest' AND json_extract(payload, '$.runId') = ?")
    .get(runId) as { n: number };
  return row.n;
}

describe("the deletion check of a pass cut into runs", () => {
  it("enqueues at most its chunks per run, and resumes after what it marked", async () => {
    await shrunkLibrary();
    const runId = "run_budget_check";
    const now = h.clock.now();
    await h.deps.database.db
      .insert(runs)
      .values({ id: runId, syncId: "syn_default", kind: "full", status: "running", startedAt: now });
    const sync = await h.deps.database.db.select().from(syncs).where(eq(syncs.id, "syn_default")).get();
    const run = await h.deps.database.db.select().from(runs).where(eq(runs.id, runId)).get();
    if (!sync || !run) throw new Error("no sync or run");
    // Nothing was listed by this run: every object is unseen, GONE of them really gone.
    expect(await checkUnseenForDeletion(h.deps, sync, run, 1)).toBe(false);
    expect(ingestJobsOfRun(runId)).toBe(IDS_PER_QUERY);
    expect(await checkUnseenForDeletion(h.deps, sync, run, 0)).toBe(false);
    expect(ingestJobsOfRun(runId)).toBe(IDS_PER_QUERY);
    expect(await checkUnseenForDeletion(h.deps, sync, run, 1)).toBe(false);
    expect(ingestJobsOfRun(runId)).toBe(2 * IDS_PER_QUERY);
    expect(await checkUnseenForDeletion(h.deps, sync, run)).toBe(true);
    expect(ingestJobsOfRun(runId)).toBe(LIBRARY);
  });

  it("finishes a full pass across runs, listing the library once", async () => {
    await shrunkLibrary();
    let listCalls = 0;
    network.use(
      http.get("https://api.mux.com/video/v1/assets", () => {
        listCalls++;
        return undefined;
      }),
    );
    await h.pass("full");
    const run = h.database.sqlite
      .prepare("SELECT id, status, pages FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1")
      .get() as { id: string; status: string; pages: number };
    // 50 assets left: one page, listed by the first run; the check took ceil(200 / 90) more runs.
    expect(run).toMatchObject({ status: "succeeded", pages: 1 });
    expect(listCalls).toBe(1);
    expect(ingestJobsOfRun(run.id)).toBeGreaterThanOrEqual(GONE);
  });
});
