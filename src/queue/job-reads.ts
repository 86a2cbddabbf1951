/**
 * The queue's read side: what the runner, people (API, dashboard, CLI) and metrics ask of the
 * `jobs` table. `JobStore` extends it with the writes, so the queue has one surface.
 */
import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type JobStatus, jobs } from "./tables";
import { type ClaimedJob, DEFAULT_QUEUE, type JobRecord } from "./types";

export type QueueCounts = Record<JobStatus, number>;

/** A job's scheduling state, for a consumer deciding what to do with a message. */
export type JobSnapshot = {
  status: JobStatus;
  availableAt: number;
  /** The lease's end while running. */
  lockedUntil: number | null;
  lastError: string | null;
};

export type JobListFilter = { status?: JobStatus; type?: string; limit: number };

/** The columns a claim returns (raw SQL, snake case). */
export type ClaimedRow = {
  id: string;
  queue: string;
  type: string;
  idempotency_key: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  lease_id: string;
};

export function toClaimed(row: ClaimedRow): ClaimedJob {
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

export function toRecord(row: typeof jobs.$inferSelect): JobRecord {
  return {
    id: row.id,
    queue: row.queue,
    type: row.type,
    key: row.idempotencyKey,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    availableAt: row.availableAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

export class JobReads {
  constructor(protected readonly database: Database) {}

  /** A job's scheduling state, or null when it does not exist. */
  async read(jobId: string): Promise<JobSnapshot | null> {
    const row = await this.database.db
      .select({
        status: jobs.status,
        availableAt: jobs.availableAt,
        lockedUntil: jobs.lockedUntil,
        lastError: jobs.lastError,
      })
      .from(jobs)
      .where(eq(jobs.id, jobId))
      .get();
    return row ?? null;
  }

  async get(jobId: string): Promise<JobRecord | null> {
    const row = await this.database.db.select().from(jobs).where(eq(jobs.id, jobId)).get();
    return row ? toRecord(row) : null;
  }

  /** Newest change first. */
  async list(filter: JobListFilter): Promise<JobRecord[]> {
    const conditions: SQL[] = [];
    if (filter.status) conditions.push(eq(jobs.status, filter.status));
    if (filter.type) conditions.push(eq(jobs.type, filter.type));
    const rows = await this.database.db
      .select()
      .from(jobs)
      .where(and(...conditions))
      .orderBy(desc(jobs.updatedAt), desc(jobs.id))
      .limit(filter.limit)
      .all();
    return rows.map(toRecord);
  }

  /** The jobs with these keys (an object's ingest and delivery jobs), newest change first. */
  async findByKeys(keys: readonly string[], queue: string = DEFAULT_QUEUE): Promise<JobRecord[]> {
    if (keys.length === 0) return [];
    const rows = await this.database.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.queue, queue), inArray(jobs.idempotencyKey, [...keys])))
      .orderBy(desc(jobs.updatedAt))
      .all();
    return rows.map(toRecord);
  }

  /** The status of the job with this key, or null when there is none. */
  async statusOf(key: string, queue: string = DEFAULT_QUEUE): Promise<JobStatus | null> {
    const row = await this.database.db
      .select({ status: jobs.status })
      .from(jobs)
      .where(and(eq(jobs.queue, queue), eq(jobs.idempotencyKey, key)))
      .get();
    return row?.status ?? null;
  }

  /** Jobs by status (every queue; the service uses one): the trigger-kept counts, never a scan. */
  async counts(): Promise<QueueCounts> {
    const rows = await this.database.db.all<{ status: JobStatus; n: number }>(
      sql`SELECT status, SUM(n) AS n FROM job_counts GROUP BY status`,
    );
    const counts: QueueCounts = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const row of rows) if (row.status in counts) counts[row.status] = row.n;
    return counts;
  }

  /** Jobs by type and status, every queue (metrics): the trigger-kept counts, never a scan. */
  async countsByType(): Promise<Array<{ type: string; status: JobStatus; count: number }>> {
    const rows = await this.database.db.all<{ type: string; status: JobStatus; n: number }>(
      sql`SELECT type, status, n FROM job_counts WHERE n > 0 ORDER BY type, status`,
    );
    return rows.map((r) => ({ type: r.type, status: r.status, count: r.n }));
  }

  /**
   * Per type, when the oldest job that is due and not yet claimed became due (metrics): one step
   * of `jobs_type_due_idx` per type that has pending jobs.
   */
  async oldestDueByType(now: number): Promise<Array<{ type: string; since: number }>> {
    const types = await this.database.db.all<{ type: string }>(
      sql`SELECT type FROM job_counts WHERE status = 'pending' AND n > 0 ORDER BY type`,
    );
    const oldest: Array<{ type: string; since: number }> = [];
    for (const { type } of types) {
      const row = await this.database.db.get<{ since: number | null }>(
        sql`SELECT MIN(available_at) AS since FROM jobs
             WHERE status = 'pending' AND type = ${type} AND available_at <= ${now}`,
      );
      if (row?.since != null) oldest.push({ type, since: row.since });
    }
    return oldest;
  }

  /** When the earliest waiting job becomes due (now or later), or null when nothing waits. */
  async nextDueAt(queue: string = DEFAULT_QUEUE): Promise<number | null> {
    const row = await this.database.db.get<{ at: number | null }>(sql`
      SELECT MIN(CASE WHEN status = 'pending' THEN available_at ELSE locked_until END) AS at
        FROM jobs WHERE queue = ${queue} AND status IN ('pending', 'running')`);
    return row?.at ?? null;
  }
}
