/**
 * The statements that remove a sync with what only it uses: its runs and the jobs keyed by it
 * (ingest and reconcile). Objects stay: they belong to the bucket. A job running at that moment
 * keeps its row and finds the sync gone, which the ingest and reconcile jobs already handle.
 */
import { and, eq, ne, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobs, runs, syncs } from "../db/schema";
import { ingestJobKey } from "../jobs/ingest";
import { reconcileJobKey } from "./passes";

export function deleteSyncStatements(db: Db, syncId: string): SQL[] {
  const ingestPrefix = ingestJobKey(syncId, "");
  // substr, not LIKE: ids contain "_", which LIKE treats as a wildcard.
  const ownedBySync = or(
    eq(jobs.idempotencyKey, reconcileJobKey(syncId)),
    sql`substr(${jobs.idempotencyKey}, 1, ${ingestPrefix.length}) = ${ingestPrefix}`,
  );
  return [
    db
      .delete(jobs)
      .where(and(ownedBySync, ne(jobs.status, "running")))
      .getSQL(),
    db.delete(runs).where(eq(runs.syncId, syncId)).getSQL(),
    db.delete(syncs).where(eq(syncs.id, syncId)).getSQL(),
  ];
}
