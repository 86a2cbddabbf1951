/**
 * Claiming one named job, for the Queues consumer: a message names its job, so the consumer
 * claims exactly that row instead of "the next due job" (`JobStore.claim`). The claim is the same
 * single-statement compare-and-swap with a lease, so two deliveries of one message (or a message
 * racing the cron sweep) cannot both run the job.
 *
 * The lease semantics mirror `JobStore.claim`: a pending job that is due, or a running job whose
 * lease expired and that still has attempts left. Keep the two in step.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { Clock } from "../lib/clock";
import { newId } from "../lib/ids";
import type { ClaimedJob } from "./types";

type ClaimedRow = {
  id: string;
  queue: string;
  type: string;
  idempotency_key: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  lease_id: string;
};

export type JobSnapshot = {
  status: "pending" | "running" | "done" | "dead";
  availableAt: number;
  lockedUntil: number | null;
  lastError: string | null;
};

export type ClaimByIdOptions = {
  /**
   * `due` (the consumer): only a job that is due now. `any` (the dead-letter consumer): also one
   * scheduled later, and a running one whose lease expired on its last attempt, so it can be
   * settled as dead.
   */
  mode: "due" | "any";
};

export async function claimJobById(
  database: Database,
  clock: Clock,
  leaseMs: number,
  jobId: string,
  options: ClaimByIdOptions = { mode: "due" },
): Promise<ClaimedJob | null> {
  const now = clock.now();
  const leaseId = newId("lease");
  const claimable =
    options.mode === "due"
      ? sql`((status = 'pending' AND available_at <= ${now})
             OR (status = 'running' AND locked_until <= ${now} AND attempts < max_attempts))`
      : sql`(status = 'pending' OR (status = 'running' AND locked_until <= ${now}))`;
  const rows = await database.db.all<ClaimedRow>(sql`
    UPDATE jobs
       SET status = 'running', lease_id = ${leaseId}, locked_until = ${now + leaseMs},
           attempts = attempts + 1, updated_at = ${now}
     WHERE id = ${jobId} AND ${claimable}
    RETURNING id, queue, type, idempotency_key, payload, attempts, max_attempts, lease_id`);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    queue: row.queue,
    type: row.type,
    key: row.idempotency_key,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    leaseId: row.lease_id,
  };
}

/** The job's state as the consumer needs it to decide about a message; null when it is gone. */
export async function readJob(database: Database, jobId: string): Promise<JobSnapshot | null> {
  const row = await database.db.get<{
    status: JobSnapshot["status"];
    available_at: number;
    locked_until: number | null;
    last_error: string | null;
  }>(sql`SELECT status, available_at, locked_until, last_error FROM jobs WHERE id = ${jobId}`);
  if (!row) return null;
  return {
    status: row.status,
    availableAt: row.available_at,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
  };
}
