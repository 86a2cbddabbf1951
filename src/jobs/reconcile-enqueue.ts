/** How a pass asks for ingest work: one ingest job per asset, never on top of one already waiting. */
import type { syncs } from "../db/schema";
import type { Statement } from "../db/statement";
import type { MuxAsset } from "../mux/schemas";
import type { Deps } from "../sync/deps";
import { ingestJob } from "./ingest";

type SyncRow = typeof syncs.$inferSelect;

/** D1 allows 100 bound parameters per query: lists of ids are cut to this size. */
export const IDS_PER_QUERY = 90;

/**
 * An ingest job for a poll, skipped when a job for that asset is already waiting or running
 * (a webhook's job carries the same news). `snapshot`: the asset as the listing just showed it.
 */
export function enqueueIngestForPass(
  deps: Pick<Deps, "jobs" | "clock">,
  sync: SyncRow,
  runId: string,
  assetId: string,
  snapshot: MuxAsset | null,
): Statement {
  return deps.jobs.enqueueStatement(
    ingestJob.request({
      syncId: sync.id,
      assetId,
      via: "poll",
      runId,
      repairs: sync.watermarkCreatedS !== null || sync.lastFullSweepAt !== null,
      ...(snapshot ? { snapshot, snapshotAt: deps.clock.now() } : {}),
    }),
    { unlessActive: true },
  );
}
