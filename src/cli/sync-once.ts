/**
 * `mux-ingest sync --once [--sync ID]…`: one reconciliation pass per sync, then every job it
 * causes (ingests, deliveries, their retries) is run to the end in this process, and the run's
 * counters are printed. Exit 0 when every pass succeeded and no object of those syncs is failed;
 * 1 otherwise; 2 for a usage error. Suited to cron jobs and CI.
 */
import { parseArgs } from "node:util";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { parseEnv } from "../config/env";
import { objects, runs, syncs } from "../db/schema";
import type { RunView } from "../http/admin/schemas";
import { describeError } from "../lib/errors";
import { openNodeServices } from "../node/start-node";
import { schedulePass } from "../resources/passes";
import { presentRun } from "../resources/present";
import type { AppServices } from "../service-graph";
import { cliLogOptions, usageError } from "./cli-options";
import type { Command } from "./commands";
import { createProgress } from "./progress";

const HELP = `Usage: mux-ingest sync --once [--sync ID]... [--timeout SECONDS] [--json]

Runs one reconciliation pass of each sync (default: every active sync), waits for the jobs it
causes (ingests and pipeline deliveries, including their retries), prints each run's counters
and the objects by state, then exits.

Options:
  --once             required: run one pass and exit (\`serve\` keeps syncs running)
  --sync ID          only this sync (repeatable)
  --timeout SECONDS  give up waiting after this long (default 900)
  --json             print the result as JSON on stdout

Exit status: 0 every pass succeeded and no object ended failed; 1 a pass failed, an object
is failed, or the wait timed out; 2 usage or configuration error.`;

type SyncResult = {
  sync_id: string;
  run: RunView | null;
  objects: Record<string, number>;
  failed: Array<{ asset_id: string; reason: string | null; message: string | null }>;
};

export const syncOnceCommand: Command = {
  summary: "Run one reconciliation pass, wait for its jobs, then exit",
  help: HELP,
  async run(args, env) {
    let values: { once?: boolean; sync?: string[]; timeout?: string; json?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          once: { type: "boolean" },
          sync: { type: "string", multiple: true },
          timeout: { type: "string" },
          json: { type: "boolean" },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      return usageError("sync", describeError(err));
    }
    if (!values.once)
      return usageError("sync", "only --once is supported here; `mux-ingest serve` keeps syncs running");
    const timeoutS = values.timeout === undefined ? 900 : Number(values.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0)
      return usageError("sync", "--timeout must be a positive number of seconds");

    const config = parseEnv(env);
    const node = await openNodeServices(config, cliLogOptions(env));
    try {
      const { services, runner } = node;
      const targets = await chooseSyncs(services, values.sync ?? []);
      if (targets.length === 0) {
        console.error(
          "mux-ingest sync: no active sync to run. Set MUX_TOKEN_ID and MUX_TOKEN_SECRET, or create one with POST /v1/buckets/{id}/syncs.",
        );
        return 1;
      }
      const runIds = new Map<string, string>();
      for (const sync of targets)
        runIds.set(sync.id, await startPass(services, sync.id, sync.watermarkCreatedS === null));

      const progress = createProgress();
      const tick = setInterval(() => {
        void describeProgress(services, [...runIds.values()]).then(progress.update, () => {});
      }, 250);
      const started = Date.now();
      const drained = await runner.drain({ waitForDelayed: true, timeoutMs: timeoutS * 1000 });
      clearInterval(tick);
      progress.done();

      const results: SyncResult[] = [];
      for (const sync of targets) results.push(await resultOf(services, sync.id, runIds.get(sync.id) ?? ""));
      const ok =
        !drained.timedOut && results.every((r) => r.run?.status === "succeeded" && r.failed.length === 0);
      if (values.json) {
        console.log(
          JSON.stringify({ ok, timed_out: drained.timedOut, jobs_run: drained.ran, syncs: results }, null, 2),
        );
      } else {
        printResults(results, Date.now() - started, drained.ran);
        if (drained.timedOut)
          console.error(`Timed out after ${timeoutS} s with jobs still waiting (see mux-ingest status).`);
      }
      return ok ? 0 : 1;
    } finally {
      node.database.close();
    }
  },
};

async function chooseSyncs(services: AppServices, ids: string[]) {
  const { db } = services.database;
  if (ids.length === 0) return db.select().from(syncs).where(eq(syncs.status, "active")).all();
  const found = await db.select().from(syncs).where(inArray(syncs.id, ids)).all();
  const missing = ids.filter((id) => !found.some((s) => s.id === id));
  if (missing.length > 0) throw new Error(`no sync ${missing.join(", ")} (mux-ingest status lists them)`);
  return found;
}

/** Queues the pass, or follows one already queued (by `serve`, or a run cut short). */
async function startPass(services: AppServices, syncId: string, initial: boolean): Promise<string> {
  const runId = await schedulePass(services, syncId, initial ? "initial" : "triggered");
  if (runId) return runId;
  const pending = await services.database.db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.syncId, syncId), inArray(runs.status, ["queued", "running"])))
    .orderBy(desc(runs.startedAt))
    .get();
  if (!pending) throw new Error(`could not queue a pass of sync ${syncId}`);
  return pending.id;
}

async function describeProgress(services: AppServices, runIds: string[]): Promise<string> {
  const { db } = services.database;
  const rows = await db.select().from(runs).where(inArray(runs.id, runIds)).all();
  const queue = await services.jobs.counts();
  const sum = (key: "pages" | "assetsSeen" | "enqueued") => rows.reduce((n, r) => n + r[key], 0);
  const states = rows.map((r) => r.status).join(",");
  return `pass ${states} · pages ${sum("pages")} · assets seen ${sum("assetsSeen")} · enqueued ${sum("enqueued")} · jobs waiting ${queue.pending} running ${queue.running} dead ${queue.dead}`;
}

async function resultOf(services: AppServices, syncId: string, runId: string): Promise<SyncResult> {
  const { db } = services.database;
  const run = await db.select().from(runs).where(eq(runs.id, runId)).get();
  const counts = await db
    .select({ state: objects.state, n: sql<number>`COUNT(*)` })
    .from(objects)
    .where(eq(objects.syncId, syncId))
    .groupBy(objects.state)
    .all();
  const failed = await db
    .select({ asset_id: objects.assetId, reason: objects.reason, message: objects.message })
    .from(objects)
    .where(and(eq(objects.syncId, syncId), eq(objects.state, "failed")))
    .limit(50)
    .all();
  return {
    sync_id: syncId,
    run: run ? presentRun(run) : null,
    objects: Object.fromEntries(counts.map((c) => [c.state, c.n])),
    failed,
  };
}

function printResults(results: SyncResult[], elapsedMs: number, jobs: number): void {
  for (const r of results) {
    const run = r.run;
    console.log(
      `sync ${r.sync_id}: ${run ? `${run.kind} pass ${run.id} ${run.status}` : "no pass recorded"}`,
    );
    if (run) {
      console.log(
        `  pages ${run.pages} · api calls ${run.api_calls} · assets seen ${run.assets_seen} · enqueued ${run.enqueued} · repaired ${run.repaired} · rechecked ${run.rechecked} · errors ${run.errors}`,
      );
      if (run.message) console.log(`  ${run.message}`);
    }
    const states = Object.entries(r.objects).map(([state, n]) => `${state} ${n}`);
    console.log(`  objects: ${states.length > 0 ? states.join(" · ") : "none"}`);
    for (const f of r.failed)
      console.log(`  failed ${f.asset_id}: ${f.reason ?? ""} ${f.message ?? ""}`.trimEnd());
  }
  console.log(`${jobs} job(s) run in ${(elapsedMs / 1000).toFixed(1)} s`);
}
