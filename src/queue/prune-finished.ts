/**
 * Pruning finished jobs in batches: each batch one short statement over at most `batchRows`
 * rows picked through the claim index, the event loop gets a turn between batches, and one call
 * runs at most `maxBatches` (the next call carries on), so a backlog never makes a long write.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { realSleep } from "../lib/token-bucket";

/**
 * Finished jobs deleted per statement: a write of a few milliseconds. Each row's ids are random, so
 * it touches index pages of its own: on a table of a million finished jobs a batch of 250 took
 * 3.1 ms at the median, one of 500 8.8 ms (`bench/retention-batches.ts`), and a call of 20 batches
 * wrote about 10,700 and 21,000 WAL pages (a probe that measured the WAL file around one call).
 */
export const PRUNE_BATCH_ROWS = 250;
/**
 * Batches per call, so one call never runs long: about 11,000 WAL pages at most, below the 16,000
 * past which a commit on the event loop copies the WAL into the file (`wal-checkpointer.ts`).
 */
export const PRUNE_MAX_BATCHES = 20;

export type PruneLimits = { batchRows?: number; maxBatches?: number };

export async function pruneFinishedJobs(
  database: Database,
  queue: string,
  cutoff: number,
  { batchRows = PRUNE_BATCH_ROWS, maxBatches = PRUNE_MAX_BATCHES }: PruneLimits = {},
): Promise<number> {
  let pruned = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    // A turn for the event loop between batches (webhooks, claims, heartbeats go first).
    if (batch > 0) await realSleep(0);
    // One statement, atomic alone; RETURNING counts the rows it deleted itself (not its triggers').
    const deleted = await database.db.all(
      sql`${pruneBatchStatement(queue, cutoff, batchRows)} RETURNING 1 AS pruned`,
    );
    pruned += deleted.length;
    if (deleted.length < batchRows) break;
  }
  return pruned;
}

/**
 * One batch (exported so its query plan can be checked). `complete` sets a finished job's
 * `available_at` and `finished_at` together, so the batch is a range of the claim index
 * (queue, status, available_at), never a scan of the finished jobs.
 */
export function pruneBatchStatement(queue: string, cutoff: number, limit: number): SQL {
  return sql`DELETE FROM jobs WHERE rowid IN (
    SELECT rowid FROM jobs WHERE queue = ${queue} AND status = 'done' AND available_at < ${cutoff}
                             AND finished_at < ${cutoff}
     ORDER BY available_at LIMIT ${limit})`;
}
