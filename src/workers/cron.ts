/**
 * The `scheduled` handler (a Cron Trigger, every minute). It does no reconciliation itself:
 * - queues a pass for each sync whose `next_run_at` has come, at most `CRON_MAX_DUE_SYNCS` a tick
 *   (`scheduleDuePasses`, the same call as the Node poller; the sync lease and the job key
 *   prevent overlapping passes);
 * - dead-letters jobs whose worker died on their last attempt (`JobRunner.reap`);
 * - sends a message for every due job that has none, or whose message was lost;
 * - deletes finished jobs past their retention (the Node runner's loop does this on Node);
 * - prunes history past RETENTION_DAYS within `CRON_RETENTION_BUDGET` (the Node maintenance loop).
 * Each step runs even if another failed; the tick fails afterwards so the failure is visible.
 */
import { describeError } from "../lib/errors";
import { scheduleDuePasses } from "../resources/passes";
import { CRON_RETENTION_BUDGET, type RetentionPass } from "../sync/retention";
import type { WorkerRuntime } from "./runtime";

/**
 * Due syncs one tick queues, the longest overdue first; the others stay due for the next tick.
 * Each costs 3 D1 statements (its claim, the run and its job), so a tick stays near 300 of D1's
 * 1,000 queries per invocation however many syncs come due together.
 */
export const CRON_MAX_DUE_SYNCS = 100;

export type CronSummary = {
  passesQueued: number;
  redispatched: number;
  dispatched: number;
  pruned: number;
  retention: RetentionPass | null;
};

export async function runCronTick(runtime: WorkerRuntime, cron: string): Promise<CronSummary> {
  const log = runtime.logger.child({ cron });
  const failed: string[] = [];
  const step = async <T>(name: string, fallback: T, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      failed.push(name);
      log.error(`Cron step failed: ${name}`, { error: describeError(err) });
      return fallback;
    }
  };

  const runIds = await step("schedule due syncs", [] as string[], () =>
    scheduleDuePasses(runtime.deps, { limit: CRON_MAX_DUE_SYNCS }),
  );
  await step("reap abandoned jobs", undefined, () => runtime.runner.reap());
  const redispatched = await step("re-send lost jobs", 0, () => runtime.dispatcher.dispatchLost());
  const dispatched = await step("send new jobs", 0, () => runtime.dispatcher.dispatchRecent());
  const pruned = await step("prune finished jobs", 0, () =>
    runtime.deps.jobs.pruneFinished(runtime.settings.queue.finishedJobRetentionMs),
  );
  const retention = await step("prune history", null, () => runtime.retention.prune(CRON_RETENTION_BUDGET));
  const summary = { passesQueued: runIds.length, redispatched, dispatched, pruned, retention };
  log.info("Cron tick", { ...summary, runs: runIds });
  if (failed.length > 0) throw new Error(`Cron tick failed in: ${failed.join(", ")}`);
  return summary;
}
