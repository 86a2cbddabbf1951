/**
 * The dead letters as the queue keeps them: jobs in status `dead`, newest first. Reading them
 * is one range of an index (`jobs_claim_idx` by queue, or `jobs_type_due_idx` by type), paged by
 * (`available_at`, `id`): a dead job's `available_at` is when it died (`fail` sets it; a reaped
 * job keeps the time its last attempt became due). Reviving and purging one are single
 * statements that only touch a job still dead, so they never undo work a newer enqueue started,
 * and callers run them inside their own atomic batches.
 */
import { and, desc, eq, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { toRecord } from "./job-reads";
import { jobs } from "./tables";
import { DEFAULT_QUEUE, type JobRecord } from "./types";

/** Where a walk of the dead letters stands: the last job seen, by death time then id. */
export type DeadPosition = { at: number; id: string };

export type DeadJobWindow = {
  type?: string;
  /** Only jobs after this one in the walk (older deaths); omit to start at the newest. */
  after?: DeadPosition | null;
  limit: number;
  queue?: string;
};

/** Dead jobs, newest death first: one index range whatever the history holds. */
export async function listDeadJobs(database: Database, window: DeadJobWindow): Promise<JobRecord[]> {
  const conditions: Array<SQL | undefined> = [
    eq(jobs.queue, window.queue ?? DEFAULT_QUEUE),
    eq(jobs.status, "dead"),
  ];
  if (window.type !== undefined) conditions.push(eq(jobs.type, window.type));
  const after = window.after;
  if (after) {
    // The bound on available_at is the index range; the id only breaks ties at its edge.
    conditions.push(
      lte(jobs.availableAt, after.at),
      or(lt(jobs.availableAt, after.at), lt(jobs.id, after.id)),
    );
  }
  const rows = await database.db
    .select()
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.availableAt), desc(jobs.id))
    .limit(window.limit)
    .all();
  return rows.map(toRecord);
}

/** One dead job, or null when no job with this id is dead. */
export async function getDeadJob(database: Database, id: string): Promise<JobRecord | null> {
  const row = await database.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), eq(jobs.status, "dead")))
    .get();
  return row ? toRecord(row) : null;
}

/** Puts a dead job back in line with fresh attempts (for the caller's atomic batch). */
export function reviveDeadStatement(id: string, now: number): SQL {
  return sql`UPDATE jobs SET status = 'pending', attempts = 0, available_at = ${now}, finished_at = NULL,
               updated_at = ${now}
             WHERE id = ${id} AND status = 'dead'`;
}

/** Removes a dead job (for the caller's atomic batch); a job revived meanwhile is left alone. */
export function purgeDeadStatement(id: string): SQL {
  return sql`DELETE FROM jobs WHERE id = ${id} AND status = 'dead'`;
}
