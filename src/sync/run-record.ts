/**
 * A reconciliation pass's record in `runs`: counters bumped as the pass goes (single-statement
 * increments, so concurrent ingest jobs counting API calls and repairs never lose an update),
 * and how it ended. The sync's own bookkeeping (watermark, failures, suspension) changes in the
 * same write as the run's end.
 */
import { and, eq, gte, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { type RunKind, runs, type SyncStatus, syncs, webhookEvents } from "../db/schema";
import { AppError, describeError } from "../lib/errors";
import type { Deps, ReconcileSettings } from "./deps";
import { assetIdFromSourcePath } from "./settings";

type SyncRow = typeof syncs.$inferSelect;
export type RunRow = typeof runs.$inferSelect;

export type RunCounters = Partial<
  Record<"pages" | "apiCalls" | "assetsSeen" | "enqueued" | "rechecked" | "errors", number>
>;

type RecordDeps = Pick<Deps, "database" | "clock" | "logger">;

export async function bumpRun(
  deps: Pick<Deps, "database">,
  runId: string,
  counters: RunCounters,
  set: { cursor?: string | null; newestCreatedS?: number | null; lastListedCreatedS?: number | null } = {},
): Promise<void> {
  const add = (column: AnySQLiteColumn, by = 0) => sql`${column} + ${by}`;
  await deps.database.db
    .update(runs)
    .set({
      pages: add(runs.pages, counters.pages),
      apiCalls: add(runs.apiCalls, counters.apiCalls),
      assetsSeen: add(runs.assetsSeen, counters.assetsSeen),
      enqueued: add(runs.enqueued, counters.enqueued),
      rechecked: add(runs.rechecked, counters.rechecked),
      errors: add(runs.errors, counters.errors),
      ...set,
    })
    .where(eq(runs.id, runId));
}

/** One Mux GET made by an ingest job on behalf of a pass. */
export function countApiCall(deps: Pick<Deps, "database">, runId: string): Promise<void> {
  return bumpRun(deps, runId, { apiCalls: 1 });
}

/** A repair counted in the same write as the object change that is the repair (`won`: that write won). */
export function countRepair(runId: string, won: SQL): SQL {
  return sql`UPDATE runs SET repaired = repaired + 1 WHERE id = ${runId} AND ${won}`;
}

/**
 * How long before a pass's change a webhook about the same asset shows the webhooks were not
 * missed: Mux sends an asset's events within seconds of each change, and a pass that lists the
 * asset in that time (or whose job runs before the webhook's) gets there first without anything
 * being lost.
 */
export const WEBHOOK_RACE_MS = 60_000;

/**
 * Whether a webhook about `assetId` arrived that the object's last write (at `lastWrittenAt`;
 * null for an object not yet written) did not take in, in the last `WEBHOOK_RACE_MS`: then a
 * change a pass finds on the asset raced that webhook and is not a repair. A webhook already
 * taken in (an asset's `created` before its `ready` was dropped) excuses nothing. Inside the
 * window the count can still err: a webhook that changed nothing excuses a change found in the
 * minute after it, and one still on its way when the pass writes is not seen. The object is
 * repaired either way; only the counter and its warning are at stake.
 */
export async function webhookRaced(
  deps: Pick<Deps, "database" | "clock">,
  assetId: string,
  lastWrittenAt: number | null,
): Promise<boolean> {
  const windowStart = deps.clock.now() - WEBHOOK_RACE_MS;
  const since = lastWrittenAt === null ? windowStart : Math.max(windowStart, lastWrittenAt + 1);
  const row = await deps.database.db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.assetId, assetId), gte(webhookEvents.receivedAt, since)))
    .limit(1)
    .get();
  return row !== undefined;
}

export async function startRun(deps: Pick<Deps, "database">, run: RunRow, kind: RunKind): Promise<void> {
  await deps.database.db.update(runs).set({ status: "running", kind }).where(eq(runs.id, run.id));
}

/** The pass completed: the watermark moves on, failures are forgotten, a full sweep is dated. */
export async function finishRun(deps: RecordDeps, sync: SyncRow, run: RunRow, full: boolean): Promise<void> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const current = await db.select().from(runs).where(eq(runs.id, run.id)).get();
  const newest = current?.newestCreatedS ?? sync.watermarkCreatedS;
  const completesInitialOnly = sync.syncMode === "initial_only" && !assetIdFromSourcePath(sync.sourcePath);
  await deps.database.atomic([
    db.update(runs).set({ status: "succeeded", finishedAt: now, cursor: null }).where(eq(runs.id, run.id)),
    db
      .update(syncs)
      .set({
        watermarkCreatedS: newest,
        consecutiveFailures: 0,
        // A sync suspended meanwhile (by an ingest job's guard) keeps the reason a person must read.
        statusReason: sql`CASE WHEN ${syncs.status} = 'suspended' THEN ${syncs.statusReason} ELSE NULL END`,
        updatedAt: now,
        ...(full ? { lastFullSweepAt: now } : {}),
        ...(completesInitialOnly
          ? {
              status: sql<SyncStatus>`CASE WHEN ${syncs.status} = 'active' THEN 'completed' ELSE ${syncs.status} END`,
            }
          : {}),
      })
      .where(eq(syncs.id, sync.id)),
  ]);
  deps.logger.info("Reconciliation pass finished", {
    sync_id: sync.id,
    run_id: run.id,
    kind: current?.kind,
    pages: current?.pages,
    api_calls: current?.apiCalls,
    assets_seen: current?.assetsSeen,
    enqueued: current?.enqueued,
    rechecked: current?.rechecked,
  });
}

/** Ends a pass that must not run (its sync was just suspended); the sync is left as it is. */
export async function abandonRun(deps: Pick<Deps, "database" | "clock">, runId: string, message: string) {
  await deps.database.db
    .update(runs)
    .set({ status: "failed", finishedAt: deps.clock.now(), message, errors: sql`${runs.errors} + 1` })
    .where(eq(runs.id, runId));
}

/** Records a pass that could not complete (also when its job is dead-lettered). */
export async function failRun(
  deps: RecordDeps,
  settings: Pick<ReconcileSettings, "failureThreshold">,
  sync: Pick<SyncRow, "id" | "consecutiveFailures">,
  runId: string,
  err: unknown,
): Promise<void> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const message = describeError(err);
  const failures = sync.consecutiveFailures + 1;
  // Only a failure a person must fix (credentials refused, bad configuration) suspends the sync.
  // A transient one (Mux unreachable, 5xx, rate limits) keeps it polling, so webhooks lost during
  // a long outage are still repaired once Mux answers again.
  const transient = err instanceof AppError && err.retryable;
  const suspend = !transient && failures >= settings.failureThreshold;
  await deps.database.atomic([
    db
      .update(runs)
      .set({ status: "failed", finishedAt: now, message, errors: sql`${runs.errors} + 1` })
      .where(eq(runs.id, runId)),
    db
      .update(syncs)
      .set({
        consecutiveFailures: failures,
        statusReason: message,
        updatedAt: now,
        ...(suspend ? { status: "suspended" as const, suspension: "failing" as const, nextRunAt: null } : {}),
      })
      .where(eq(syncs.id, sync.id)),
  ]);
  deps.logger.error(suspend ? "Reconciliation failed; sync suspended" : "Reconciliation failed", {
    sync_id: sync.id,
    run_id: runId,
    consecutive_failures: failures,
    error: message,
  });
}
