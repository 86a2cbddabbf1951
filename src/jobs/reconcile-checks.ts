/**
 * The end of a pass: objects the listing did not cover get one GET each, through their ingest
 * job. Waiting objects are re-checked within a budget per pass (round-robin, oldest check
 * first); after a full sweep, objects the listing did not show are checked for deletion.
 */
import { and, asc, eq, inArray, isNull, lt, notInArray, or, type SQLWrapper, sql } from "drizzle-orm";
import { objects, type syncs } from "../db/schema";
import type { Deps } from "../sync/deps";
import { bumpRun, type RunRow } from "../sync/run-record";
import { enqueueIngestForPass, IDS_PER_QUERY } from "./reconcile-enqueue";

type SyncRow = typeof syncs.$inferSelect;

const WAITING = ["waiting_for_asset", "waiting_for_rendition"] as const;

/**
 * After a full sweep: objects the listing did not show may have been deleted; their job asks Mux.
 * At most `maxChunks` chunks of ids are enqueued (a Worker's invocation has a query budget).
 * Each chunk is marked seen in the write that enqueues it, so a later run of the pass resumes
 * after it. Resolves true when no unseen object is left.
 */
export async function checkUnseenForDeletion(
  deps: Deps,
  sync: SyncRow,
  run: RunRow,
  maxChunks = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  const { db } = deps.database;
  let lastId = "";
  for (let chunks = 0; ; chunks++) {
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
    if (unseen.length === 0) return true;
    if (chunks >= maxChunks) return false;
    const ids = unseen.map((o) => o.id);
    const results = await deps.database.atomic([
      ...unseen.map((o) => enqueueIngestForPass(deps, sync, run.id, o.assetId, null)),
      db.update(objects).set({ lastSeenAt: deps.clock.now() }).where(inArray(objects.id, ids)).getSQL(),
    ]);
    const enqueued = results.slice(0, unseen.length).filter((r) => r.changed).length;
    await bumpRun(deps, run.id, { enqueued });
    lastId = ids[ids.length - 1] ?? lastId;
  }
}

/** Objects still waiting that this pass's listing did not cover: one GET each, oldest check first. */
export async function recheckWaiting(deps: Deps, sync: SyncRow, run: RunRow): Promise<void> {
  const { db } = deps.database;
  const now = deps.clock.now();
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
    .limit(deps.reconcile.recheckBudget)
    .all();
  if (waiting.length === 0) return;
  const statements: SQLWrapper[] = waiting.map((o) =>
    enqueueIngestForPass(deps, sync, run.id, o.assetId, null),
  );
  for (let i = 0; i < waiting.length; i += IDS_PER_QUERY) {
    const ids = waiting.slice(i, i + IDS_PER_QUERY).map((o) => o.id);
    // Marks them checked, so the next pass starts with the others (round-robin under the budget).
    statements.push(db.update(objects).set({ lastSeenAt: now }).where(inArray(objects.id, ids)).getSQL());
  }
  const results = await deps.database.atomic(statements);
  const enqueued = results.slice(0, waiting.length).filter((r) => r.changed).length;
  await bumpRun(deps, run.id, { enqueued, rechecked: enqueued });
}
