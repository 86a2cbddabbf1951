/**
 * A pass's walk through the library: Mux's cursor pages, one at a time, enqueueing the listed
 * assets that need work and marking every listed object seen. Memory stays flat: one page, never
 * the library.
 *
 * An incremental pass stops once a page reaches assets older than the previous watermark (minus
 * an overlap margin), so k new assets cost about ceil(k/100)+1 list calls whatever the library
 * size. Listed assets ride into their ingest job as a snapshot (the listing *is* a fresh read from
 * Mux), so the initial pass of N assets costs N/100 calls, not N.
 */
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { objects, type syncs } from "../db/schema";
import type { MuxAsset } from "../mux/schemas";
import type { Deps } from "../sync/deps";
import { bumpRun, type RunRow } from "../sync/run-record";
import { extendSyncLease } from "../sync/sync-lease";
import { enqueueIngestForPass, IDS_PER_QUERY } from "./reconcile-enqueue";

type SyncRow = typeof syncs.$inferSelect;

const PAGE_LIMIT = 100;

/** Lists pages from the run's cursor; resolves false when it stopped on the page budget. */
export async function listLibrary(deps: Deps, sync: SyncRow, run: RunRow, full: boolean): Promise<boolean> {
  const settings = deps.reconcile;
  const api = await deps.credentials.api(sync.connectionId);
  const stopBelow =
    full || sync.watermarkCreatedS === null ? null : sync.watermarkCreatedS - settings.overlapSeconds;
  let cursor = run.cursor;
  let newest = run.newestCreatedS ?? sync.watermarkCreatedS;
  for (let pages = 0; pages < settings.maxPagesPerRun; pages++) {
    const page = await api.listAssets({ limit: PAGE_LIMIT, cursor });
    const enqueued = await processPage(deps, sync, run, page.assets, full);
    for (const asset of page.assets) {
      if (asset.created_at !== null && (newest === null || asset.created_at > newest))
        newest = asset.created_at;
    }
    const oldest = Math.min(...page.assets.map((a) => a.created_at ?? Number.POSITIVE_INFINITY));
    const reachedWatermark = stopBelow !== null && oldest < stopBelow;
    cursor = reachedWatermark ? null : page.nextCursor;
    await bumpRun(
      deps,
      run.id,
      { pages: 1, apiCalls: 1, assetsSeen: page.assets.length, enqueued },
      { cursor, newestCreatedS: newest },
    );
    await extendSyncLease(deps, sync.id, run.id, deps.clock.now() + settings.leaseMs);
    if (!cursor) return true;
  }
  return false;
}

/** Enqueues the listed assets that need work, and marks them seen. Returns how many were enqueued. */
async function processPage(
  deps: Deps,
  sync: SyncRow,
  run: RunRow,
  assets: MuxAsset[],
  full: boolean,
): Promise<number> {
  if (assets.length === 0) return 0;
  const { db } = deps.database;
  const now = deps.clock.now();
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
      enqueueIngestForPass(deps, sync, run.id, asset.id, asset),
    );
    statements.push(
      sql`UPDATE objects SET last_seen_at = ${now} WHERE bucket_id = ${sync.bucketId} AND asset_id IN (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
    const results = await deps.database.atomic(statements);
    enqueued += results.slice(0, needsWork.length).reduce((n, r) => n + r.changes, 0);
  }
  return enqueued;
}
