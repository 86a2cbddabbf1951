/**
 * A pass's walk through the library: Mux's cursor pages, one at a time, enqueueing the listed
 * assets that need work and marking every listed object seen. Memory stays flat: one page, never
 * the library.
 *
 * An incremental pass stops once a page reaches assets older than the previous watermark (minus
 * an overlap margin), so k new assets cost about ceil(k/100)+1 list calls whatever the library
 * size. Listed assets ride into their ingest job as a snapshot (the listing *is* a fresh read from
 * Mux), so the initial pass of N assets costs N/100 calls, not N.
 *
 * Mux does not document the listing's order. Stopping early is only right for a listing newest
 * first, so an incremental pass checks that `created_at` never increases along it; when it does,
 * the pass carries on as a full sweep and the run records `order_violation`.
 */
import { and, eq, inArray, type SQLWrapper, sql } from "drizzle-orm";
import { objects, runs, type syncs } from "../db/schema";
import { assetFingerprint } from "../mux/asset-fingerprint";
import type { MuxAsset } from "../mux/schemas";
import type { Deps } from "../sync/deps";
import { bumpRun, type RunRow } from "../sync/run-record";
import { extendSyncLease } from "../sync/sync-lease";
import { enqueueIngestForPass, IDS_PER_QUERY } from "./reconcile-enqueue";

type SyncRow = typeof syncs.$inferSelect;

export const PAGE_LIMIT = 100;

export type ListingResult = {
  /** False when it stopped on the page budget (the cursor is saved: the job runs again). */
  finished: boolean;
  /** It became (or was) a full sweep. */
  full: boolean;
  /** Pages listed in this run of the job (of `maxPagesPerRun`). */
  pages: number;
};

/** Lists pages from the run's cursor. */
export async function listLibrary(
  deps: Deps,
  sync: SyncRow,
  run: RunRow,
  fullSweep: boolean,
): Promise<ListingResult> {
  const settings = deps.reconcile;
  const api = await deps.credentials.api(sync.connectionId);
  let full = fullSweep;
  let cursor = run.cursor;
  let newest = run.newestCreatedS ?? sync.watermarkCreatedS;
  let previous = run.lastListedCreatedS;
  for (let pages = 0; pages < settings.maxPagesPerRun; pages++) {
    const page = await api.listAssets({ limit: PAGE_LIMIT, cursor });
    if (page.skipped.length > 0) {
      deps.logger.warn("Mux listed entries that are not valid assets; they are skipped", {
        sync_id: sync.id,
        run_id: run.id,
        skipped: page.skipped.length,
        examples: page.skipped.slice(0, 3),
      });
    }
    const created = page.assets.map((a) => a.created_at).filter((c): c is number => c !== null);
    if (!full && !isNewestFirst(previous, created)) {
      full = true;
      await markOrderViolation(deps, sync, run);
    }
    const enqueued = await processPage(deps, sync, run, page.assets, full);
    for (const c of created) if (newest === null || c > newest) newest = c;
    previous = created.at(-1) ?? previous;
    const stopBelow =
      full || sync.watermarkCreatedS === null ? null : sync.watermarkCreatedS - settings.overlapSeconds;
    const oldest = Math.min(...created, Number.POSITIVE_INFINITY);
    cursor = stopBelow !== null && oldest < stopBelow ? null : page.nextCursor;
    await bumpRun(
      deps,
      run.id,
      { pages: 1, apiCalls: 1, assetsSeen: page.assets.length, enqueued },
      { cursor, newestCreatedS: newest, lastListedCreatedS: previous },
    );
    await extendSyncLease(deps, sync.id, run.id, deps.clock.now() + settings.leaseMs);
    if (!cursor) return { finished: true, full, pages: pages + 1 };
  }
  return { finished: false, full, pages: settings.maxPagesPerRun };
}

/** Newest first: no `created_at` is later than the one listed before it. */
function isNewestFirst(previous: number | null, created: readonly number[]): boolean {
  let last = previous ?? Number.POSITIVE_INFINITY;
  for (const c of created) {
    if (c > last) return false;
    last = c;
  }
  return true;
}

async function markOrderViolation(deps: Deps, sync: SyncRow, run: RunRow): Promise<void> {
  await deps.database.db.update(runs).set({ orderViolation: true, kind: "full" }).where(eq(runs.id, run.id));
  deps.logger.warn("Mux listed assets out of newest-first order; the pass carries on as a full sweep", {
    sync_id: sync.id,
    run_id: run.id,
  });
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
  // Every chunk's reads first, then one write for the whole page: the page costs one batch.
  const statements: SQLWrapper[] = [];
  const enqueues: number[] = [];
  for (let i = 0; i < inScope.length; i += IDS_PER_QUERY) {
    const chunk = inScope.slice(i, i + IDS_PER_QUERY);
    const ids = chunk.map((a) => a.id);
    const known = await db
      .select({ assetId: objects.assetId, state: objects.state, fingerprint: objects.sourceFingerprint })
      .from(objects)
      .where(and(eq(objects.bucketId, sync.bucketId), inArray(objects.assetId, ids)))
      .all();
    const knownById = new Map(known.map((o) => [o.assetId, o]));
    const needsWork = chunk.filter((asset) => {
      const object = knownById.get(asset.id);
      if (object === undefined) return true;
      const { state } = object;
      if (state === "deleted") return false;
      if (state === "waiting_for_asset" || state === "waiting_for_rendition" || state === "failed")
        return true;
      // The asset changed since it was judged (an edit, a rendition change, whose webhook may
      // have been lost); a changed selection re-evaluates every object; full sweeps re-evaluate
      // skips (a connection's signing key may have come). Free: the listing is the snapshot.
      return (
        object.fingerprint !== assetFingerprint(asset) || run.reevaluate || (full && state === "skipped")
      );
    });
    for (const asset of needsWork) {
      enqueues.push(statements.length);
      statements.push(enqueueIngestForPass(deps, sync, run.id, asset.id, asset));
    }
    statements.push(
      sql`UPDATE objects SET last_seen_at = ${now} WHERE bucket_id = ${sync.bucketId} AND asset_id IN (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
  }
  const results = await deps.database.atomic(statements);
  return enqueues.filter((i) => results[i]?.changed).length;
}
