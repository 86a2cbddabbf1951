/**
 * The reconcile job: one pass of one sync. It lists the library through Mux's cursor pages and
 * only *enqueues* ingest work; the ingest jobs do the rest, exactly as for webhooks.
 *
 * Cost. An incremental pass lists newest-first and stops once a page reaches assets older than
 * the previous watermark (minus an overlap margin), so k new assets cost about ceil(k/100)+1 list
 * calls whatever the library size. Listed assets ride into their ingest job as a snapshot (the
 * listing *is* a fresh read from Mux), so the initial pass of N assets costs N/100 calls, not N.
 * Objects still waiting are re-checked one GET each, within a budget per pass. A full sweep, at
 * a slower cadence, marks every listed asset as seen and then checks the unseen ones for
 * deletion. Memory stays flat: one page at a time, never the library.
 */
import { and, asc, eq, inArray, isNull, lt, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { objects, type RunKind, runs, syncs } from "../db/schema";
import { AppError, describeError, RetryAfterError } from "../lib/errors";
import type { MuxAsset } from "../mux/schemas";
import { DEFAULT_QUEUE } from "../queue/types";
import { assetIdFromSourcePath } from "../sync/settings";
import { INGEST_JOB, type IngestServices, ingestJobKey } from "./ingest";

export type ReconcileSettings = {
  /** Re-list this far behind the watermark: Mux's `created_at` has one-second resolution. */
  overlapSeconds: number;
  /** How often a pass becomes a full sweep (deletions, drift). */
  fullSweepIntervalMs: number;
  /** Individual GETs of waiting objects per pass. */
  recheckBudget: number;
  /** Pages per job run; a longer pass continues in the next run of the job (Workers' limits). */
  maxPagesPerRun: number;
  /** Consecutive failed passes before the sync is suspended. */
  failureThreshold: number;
  leaseMs: number;
};

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  overlapSeconds: 300,
  fullSweepIntervalMs: 24 * 3600_000,
  recheckBudget: 100,
  maxPagesPerRun: Number.POSITIVE_INFINITY,
  failureThreshold: 5,
  leaseMs: 5 * 60_000,
};

export type ReconcileServices = IngestServices & {
  notifyJobs: () => void;
  reconcile?: Partial<ReconcileSettings>;
};

const PAGE_LIMIT = 100;
/** D1 allows 100 bound parameters per query. */
const IDS_PER_QUERY = 90;
const WAITING = ["waiting_for_asset", "waiting_for_rendition"] as const;

type SyncRow = typeof syncs.$inferSelect;
type RunRow = typeof runs.$inferSelect;

export async function runReconcilePass(
  services: ReconcileServices,
  input: { syncId: string; runId: string },
): Promise<void> {
  const settings = { ...DEFAULT_RECONCILE_SETTINGS, ...services.reconcile };
  const { db } = services.database;
  const run = await db.select().from(runs).where(eq(runs.id, input.runId)).get();
  const sync = await db.select().from(syncs).where(eq(syncs.id, input.syncId)).get();
  if (!run || !sync || run.status === "succeeded" || run.status === "failed") return;

  const now = services.clock.now();
  if (!(await acquireLease(services, sync.id, run.id, now + settings.leaseMs))) {
    throw new RetryAfterError(
      Math.max(1_000, (sync.leaseUntil ?? now) - now),
      `Sync ${sync.id} is being reconciled elsewhere`,
    );
  }
  try {
    const full = isFullSweep(run, sync, settings, now);
    const kind: RunKind = full && run.kind === "scheduled" ? "full" : run.kind;
    await db.update(runs).set({ status: "running", kind }).where(eq(runs.id, run.id));
    if (sync.syncMode === "initial_only" && sync.snapshotAt === null) {
      // Assets created after this moment are out of an initial_only sync's scope.
      await db.update(syncs).set({ snapshotAt: run.startedAt }).where(eq(syncs.id, sync.id));
      sync.snapshotAt = run.startedAt;
    }

    const onlyAsset = assetIdFromSourcePath(sync.sourcePath);
    let finished = true;
    if (onlyAsset) {
      // One asset: no library scan. Its ingest job makes the single GET.
      const [result] = await services.database.atomic([
        enqueueIngest(services, sync, run.id, onlyAsset, null),
      ]);
      await bump(services, run.id, { enqueued: result?.changes ?? 0 });
    } else if (sync.syncMode === "continuous" || sync.status !== "completed") {
      finished = await listLibrary(services, settings, sync, run, full);
    }
    if (!finished) {
      // Out of pages for this run of the job: the cursor is saved, the job runs again.
      await services.jobs.enqueue({
        type: "reconcile",
        key: `reconcile:${sync.id}`,
        payload: input,
        maxAttempts: 3,
      });
      return;
    }
    if (full && !onlyAsset) await checkUnseenForDeletion(services, sync, run);
    await recheckWaiting(services, settings, sync, run);
    await finishRun(services, sync, run, full);
  } catch (err) {
    if (err instanceof AppError && err.retryable) throw err;
    await failRun(services, settings, sync, run.id, err);
  } finally {
    await releaseLease(services, sync.id, run.id);
    services.notifyJobs();
  }
}

/** Records a pass that could not complete (also when its job is dead-lettered). */
export async function failRun(
  services: ReconcileServices,
  settings: ReconcileSettings,
  sync: Pick<SyncRow, "id" | "consecutiveFailures">,
  runId: string,
  err: unknown,
): Promise<void> {
  const { db } = services.database;
  const now = services.clock.now();
  const message = describeError(err);
  const failures = sync.consecutiveFailures + 1;
  // Only a failure a person must fix (credentials refused, bad configuration) suspends the sync.
  // A transient one (Mux unreachable, 5xx, rate limits) keeps it polling: suspending it used to
  // stop reconciliation for good after a long enough outage, so webhooks lost meanwhile were
  // never repaired.
  const transient = err instanceof AppError && err.retryable;
  const suspend = !transient && failures >= settings.failureThreshold;
  await services.database.atomic([
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
        ...(suspend ? { status: "suspended" as const, nextRunAt: null } : {}),
      })
      .where(eq(syncs.id, sync.id)),
  ]);
  services.logger.error(suspend ? "Reconciliation failed; sync suspended" : "Reconciliation failed", {
    sync_id: sync.id,
    run_id: runId,
    consecutive_failures: failures,
    error: message,
  });
}

function isFullSweep(run: RunRow, sync: SyncRow, settings: ReconcileSettings, now: number): boolean {
  if (run.kind === "initial" || run.kind === "full" || sync.watermarkCreatedS === null) return true;
  return sync.lastFullSweepAt === null || now - sync.lastFullSweepAt >= settings.fullSweepIntervalMs;
}

/** Lists pages from the run's cursor; resolves false when it stopped on the page budget. */
async function listLibrary(
  services: ReconcileServices,
  settings: ReconcileSettings,
  sync: SyncRow,
  run: RunRow,
  full: boolean,
): Promise<boolean> {
  const api = await services.credentials.api(sync.connectionId);
  const stopBelow =
    full || sync.watermarkCreatedS === null ? null : sync.watermarkCreatedS - settings.overlapSeconds;
  let cursor = run.cursor;
  let newest = run.newestCreatedS ?? sync.watermarkCreatedS;
  for (let pages = 0; pages < settings.maxPagesPerRun; pages++) {
    const page = await api.listAssets({ limit: PAGE_LIMIT, cursor });
    const enqueued = await processPage(services, sync, run, page.assets, full);
    for (const asset of page.assets) {
      if (asset.created_at !== null && (newest === null || asset.created_at > newest))
        newest = asset.created_at;
    }
    const oldest = Math.min(...page.assets.map((a) => a.created_at ?? Number.POSITIVE_INFINITY));
    const reachedWatermark = stopBelow !== null && oldest < stopBelow;
    cursor = reachedWatermark ? null : page.nextCursor;
    await bump(
      services,
      run.id,
      { pages: 1, apiCalls: 1, assetsSeen: page.assets.length, enqueued },
      {
        cursor,
        newestCreatedS: newest,
      },
    );
    await extendLease(services, sync.id, run.id, services.clock.now() + settings.leaseMs);
    if (!cursor) return true;
  }
  return false;
}

/** Enqueues the listed assets that need work, and marks them seen. Returns how many were enqueued. */
async function processPage(
  services: ReconcileServices,
  sync: SyncRow,
  run: RunRow,
  assets: MuxAsset[],
  full: boolean,
): Promise<number> {
  if (assets.length === 0) return 0;
  const { db } = services.database;
  const now = services.clock.now();
  const inScope = assets.filter(
    (a) =>
      !(
        sync.syncMode === "initial_only" &&
        sync.snapshotAt !== null &&
        a.created_at !== null &&
        a.created_at * 1000 > sync.snapshotAt
      ),
  );
  let enqueued = 0;
  for (let i = 0; i < inScope.length; i += IDS_PER_QUERY) {
    const chunk = inScope.slice(i, i + IDS_PER_QUERY);
    const ids = chunk.map((a) => a.id);
    const known = await db
      .select({ assetId: objects.assetId, state: objects.state })
      .from(objects)
      .where(and(eq(objects.bucketId, sync.bucketId), inArray(objects.assetId, ids)))
      .all();
    const stateOf = new Map(known.map((o) => [o.assetId, o.state]));
    const needsWork = chunk.filter((asset) => {
      const state = stateOf.get(asset.id);
      if (state === undefined) return true;
      if (state === "waiting_for_asset" || state === "waiting_for_rendition" || state === "failed")
        return true;
      // Skips are re-evaluated on full sweeps (filters or the asset may have changed); free with a snapshot.
      return full && state === "skipped";
    });
    const statements: SQL[] = needsWork.map((asset) =>
      enqueueIngest(services, sync, run.id, asset.id, asset),
    );
    statements.push(
      sql`UPDATE objects SET last_seen_at = ${now} WHERE bucket_id = ${sync.bucketId} AND asset_id IN (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
    const results = await services.database.atomic(statements);
    enqueued += results.slice(0, needsWork.length).reduce((n, r) => n + r.changes, 0);
  }
  return enqueued;
}

/** An ingest job for a poll; skipped when a job for that asset is already waiting or running. */
function enqueueIngest(
  services: ReconcileServices,
  sync: SyncRow,
  runId: string,
  assetId: string,
  snapshot: MuxAsset | null,
): SQL {
  const key = ingestJobKey(sync.id, assetId);
  return services.jobs.enqueueStatement(
    {
      type: INGEST_JOB,
      key,
      payload: {
        syncId: sync.id,
        assetId,
        via: "poll",
        runId,
        repairs: sync.watermarkCreatedS !== null || sync.lastFullSweepAt !== null,
        ...(snapshot ? { snapshot, snapshotAt: services.clock.now() } : {}),
      },
    },
    {
      onlyIf: sql`NOT EXISTS (SELECT 1 FROM jobs WHERE queue = ${DEFAULT_QUEUE} AND idempotency_key = ${key}
                                AND status IN ('pending', 'running'))`,
    },
  );
}

/** After a full sweep: objects the listing did not show may have been deleted; their job asks Mux. */
async function checkUnseenForDeletion(
  services: ReconcileServices,
  sync: SyncRow,
  run: RunRow,
): Promise<void> {
  const { db } = services.database;
  let lastId = "";
  for (;;) {
    const unseen = await db
      .select({ id: objects.id, assetId: objects.assetId })
      .from(objects)
      .where(
        and(
          eq(objects.bucketId, sync.bucketId),
          eq(objects.syncId, sync.id),
          sql`${objects.id} > ${lastId}`,
          notInArray(objects.state, ["deleted"]),
          lt(objects.createdAt, run.startedAt),
          or(isNull(objects.lastSeenAt), lt(objects.lastSeenAt, run.startedAt)),
        ),
      )
      .orderBy(asc(objects.id))
      .limit(IDS_PER_QUERY)
      .all();
    if (unseen.length === 0) return;
    const results = await services.database.atomic(
      unseen.map((o) => enqueueIngest(services, sync, run.id, o.assetId, null)),
    );
    await bump(services, run.id, { enqueued: results.reduce((n, r) => n + r.changes, 0) });
    lastId = unseen[unseen.length - 1]?.id ?? lastId;
  }
}

/** Objects still waiting that this pass's listing did not cover: one GET each, oldest check first. */
async function recheckWaiting(
  services: ReconcileServices,
  settings: ReconcileSettings,
  sync: SyncRow,
  run: RunRow,
): Promise<void> {
  const { db } = services.database;
  const now = services.clock.now();
  const waiting = await db
    .select({ id: objects.id, assetId: objects.assetId })
    .from(objects)
    .where(
      and(
        eq(objects.syncId, sync.id),
        inArray(objects.state, [...WAITING]),
        or(isNull(objects.lastSeenAt), lt(objects.lastSeenAt, run.startedAt)),
      ),
    )
    .orderBy(asc(sql`COALESCE(${objects.lastSeenAt}, 0)`))
    .limit(settings.recheckBudget)
    .all();
  if (waiting.length === 0) return;
  const statements: SQL[] = waiting.map((o) => enqueueIngest(services, sync, run.id, o.assetId, null));
  for (let i = 0; i < waiting.length; i += IDS_PER_QUERY) {
    const ids = waiting.slice(i, i + IDS_PER_QUERY).map((o) => o.id);
    // Marks them checked, so the next pass starts with the others (round-robin under the budget).
    statements.push(db.update(objects).set({ lastSeenAt: now }).where(inArray(objects.id, ids)).getSQL());
  }
  const results = await services.database.atomic(statements);
  const enqueued = results.slice(0, waiting.length).reduce((n, r) => n + r.changes, 0);
  await bump(services, run.id, { enqueued, rechecked: enqueued });
}

async function finishRun(
  services: ReconcileServices,
  sync: SyncRow,
  run: RunRow,
  full: boolean,
): Promise<void> {
  const { db } = services.database;
  const now = services.clock.now();
  const current = await db.select().from(runs).where(eq(runs.id, run.id)).get();
  const newest = current?.newestCreatedS ?? sync.watermarkCreatedS;
  const completesInitialOnly = sync.syncMode === "initial_only" && !assetIdFromSourcePath(sync.sourcePath);
  await services.database.atomic([
    db.update(runs).set({ status: "succeeded", finishedAt: now, cursor: null }).where(eq(runs.id, run.id)),
    db
      .update(syncs)
      .set({
        watermarkCreatedS: newest,
        consecutiveFailures: 0,
        statusReason: null,
        updatedAt: now,
        ...(full ? { lastFullSweepAt: now } : {}),
        ...(completesInitialOnly && sync.status === "active" ? { status: "completed" as const } : {}),
      })
      .where(eq(syncs.id, sync.id)),
  ]);
  services.logger.info("Reconciliation pass finished", {
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

type Counters = Partial<
  Record<"pages" | "apiCalls" | "assetsSeen" | "enqueued" | "rechecked" | "errors", number>
>;

async function bump(
  services: ReconcileServices,
  runId: string,
  counters: Counters,
  set: { cursor?: string | null; newestCreatedS?: number | null } = {},
): Promise<void> {
  const add = (column: AnySQLiteColumn, by = 0) => sql`${column} + ${by}`;
  await services.database.db
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

async function acquireLease(
  services: ReconcileServices,
  syncId: string,
  owner: string,
  until: number,
): Promise<boolean> {
  const now = services.clock.now();
  const rows = await services.database.db
    .update(syncs)
    .set({ leaseOwner: owner, leaseUntil: until })
    .where(
      and(
        eq(syncs.id, syncId),
        or(isNull(syncs.leaseUntil), lt(syncs.leaseUntil, now), eq(syncs.leaseOwner, owner)),
      ),
    )
    .returning({ id: syncs.id });
  return rows.length > 0;
}

async function extendLease(
  services: ReconcileServices,
  syncId: string,
  owner: string,
  until: number,
): Promise<void> {
  await services.database.db
    .update(syncs)
    .set({ leaseUntil: until })
    .where(and(eq(syncs.id, syncId), eq(syncs.leaseOwner, owner)));
}

async function releaseLease(services: ReconcileServices, syncId: string, owner: string): Promise<void> {
  await services.database.db
    .update(syncs)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(syncs.id, syncId), eq(syncs.leaseOwner, owner)));
}
