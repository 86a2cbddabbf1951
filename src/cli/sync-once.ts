/**
 * `mux-ingest sync --once [--sync ID]…`: one reconciliation pass per sync, then every job it
 * causes (ingests, deliveries, their retries) is run to the end in this process, and the run's
 * counters are printed. Exit 0 when every pass succeeded and no object of those syncs is failed;
 * 1 otherwise; 2 for a usage error. Suited to cron jobs and CI.
 */
import { parseArgs } from "node:util";
import { parseEnv } from "../config/env";
import { describeError } from "../lib/errors";
import { openNode } from "../node/open-node";
import {
  type PassResult,
  passProgress,
  passResult,
  passTargets,
  startOrFollowPass,
} from "../resources/passes";
import { cliLogOptions, usageError } from "./cli-options";
import { say, sayJson, warn } from "./output";
import { createProgress } from "./progress";

export async function runSyncOnce(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
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
  const node = await openNode(config, cliLogOptions(env));
  try {
    const { deps, runner } = node;
    const targets = await passTargets(deps, { syncIds: values.sync ?? [] });
    if (targets.length === 0) {
      warn(
        "mux-ingest sync: no active sync to run. Set MUX_TOKEN_ID and MUX_TOKEN_SECRET, or create one with POST /v1/buckets/{id}/syncs.",
      );
      return 1;
    }
    const runIds = new Map<string, string>();
    for (const sync of targets) runIds.set(sync.id, await startOrFollowPass(deps, { sync }));

    const progress = createProgress();
    const tick = setInterval(() => {
      void passProgress(deps, { runIds: [...runIds.values()] }).then(
        (p) => progress.update(describeProgress(p)),
        () => {},
      );
    }, 250);
    const started = Date.now();
    const drained = await runner.drain({ waitForDelayed: true, timeoutMs: timeoutS * 1000 });
    clearInterval(tick);
    progress.done();

    const results: PassResult[] = [];
    for (const sync of targets)
      results.push(await passResult(deps, { syncId: sync.id, runId: runIds.get(sync.id) ?? "" }));
    const ok =
      !drained.timedOut && results.every((r) => r.run?.status === "succeeded" && r.failed.length === 0);
    if (values.json) {
      sayJson({ ok, timed_out: drained.timedOut, jobs_run: drained.ran, syncs: results });
    } else {
      say(formatResults(results, Date.now() - started, drained.ran));
      if (drained.timedOut)
        warn(`Timed out after ${timeoutS} s with jobs still waiting (see mux-ingest status).`);
    }
    return ok ? 0 : 1;
  } finally {
    node.database.close();
  }
}

function describeProgress(p: Awaited<ReturnType<typeof passProgress>>): string {
  return `pass ${p.statuses.join(",")} · pages ${p.pages} · assets seen ${p.assetsSeen} · enqueued ${p.enqueued} · jobs waiting ${p.jobs.pending} running ${p.jobs.running} dead ${p.jobs.dead}`;
}

/** The human summary of the passes (one block per sync), printed through `say`. */
export function formatResults(results: PassResult[], elapsedMs: number, jobs: number): string {
  const lines: string[] = [];
  for (const r of results) {
    const run = r.run;
    lines.push(`sync ${r.sync_id}: ${run ? `${run.kind} pass ${run.id} ${run.status}` : "no pass recorded"}`);
    if (run) {
      lines.push(
        `  pages ${run.pages} · api calls ${run.api_calls} · assets seen ${run.assets_seen} · enqueued ${run.enqueued} · repaired ${run.repaired} · rechecked ${run.rechecked} · errors ${run.errors}`,
      );
      if (run.message) lines.push(`  ${run.message}`);
    }
    const states = Object.entries(r.objects).map(([state, n]) => `${state} ${n}`);
    lines.push(`  objects: ${states.length > 0 ? states.join(" · ") : "none"}`);
    for (const f of r.failed)
      lines.push(`  failed ${f.asset_id}: ${f.reason ?? ""} ${f.message ?? ""}`.trimEnd());
  }
  lines.push(`${jobs} job(s) run in ${(elapsedMs / 1000).toFixed(1)} s`);
  return lines.join("\n");
}
