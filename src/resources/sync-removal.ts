/**
 * The statements that remove a sync with what only it uses: its runs and the jobs keyed by it
 * (ingest and reconcile). Objects stay: they belong to the bucket. A job running at that moment
 * keeps its row and finds the sync gone, which the ingest and reconcile jobs already handle.
 */
import { eq, type SQL } from "drizzle-orm";
import { runs, syncs } from "../db/schema";
import { ingestKeyPrefix } from "../jobs/ingest";
import { reconcileKey } from "../jobs/reconcile";
import type { Deps } from "../sync/deps";

export function deleteSyncStatements(deps: Pick<Deps, "database" | "jobs">, syncId: string): SQL[] {
  const { db } = deps.database;
  return [
    deps.jobs.deleteStatement({
      keys: [reconcileKey(syncId)],
      keyPrefix: ingestKeyPrefix(syncId),
    }),
    db.delete(runs).where(eq(runs.syncId, syncId)).getSQL(),
    db.delete(syncs).where(eq(syncs.id, syncId)).getSQL(),
  ];
}
