/**
 * The lease that keeps two passes of one sync from running at once (two processes on one file,
 * a Worker cron and a manual trigger): a compare-and-swap on `syncs.lease_owner`, extended as
 * the pass pages, released when it ends. A holder that dies simply lets it expire.
 */
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { syncs } from "../db/schema";
import type { Deps } from "./deps";

type LeaseDeps = Pick<Deps, "database" | "clock">;

export async function acquireSyncLease(
  deps: LeaseDeps,
  syncId: string,
  owner: string,
  until: number,
): Promise<boolean> {
  const now = deps.clock.now();
  const rows = await deps.database.db
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

export async function extendSyncLease(
  deps: LeaseDeps,
  syncId: string,
  owner: string,
  until: number,
): Promise<void> {
  await deps.database.db
    .update(syncs)
    .set({ leaseUntil: until })
    .where(and(eq(syncs.id, syncId), eq(syncs.leaseOwner, owner)));
}

export async function releaseSyncLease(deps: LeaseDeps, syncId: string, owner: string): Promise<void> {
  await deps.database.db
    .update(syncs)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(syncs.id, syncId), eq(syncs.leaseOwner, owner)));
}
