/**
 * The durable queue: one `jobs` table, written only with single statements (compare-and-swap,
 * upserts) so the same code is correct on better-sqlite3 and on D1, and under several processes
 * sharing one database file. It is the only writer of that table: other modules get statements
 * (to run inside their own atomic writes) or answers from its methods.
 *
 * - Enqueue is an upsert on (queue, idempotency_key): a waiting job is left alone, a finished or
 *   dead one is revived, and a running one is flagged to run once more when it finishes (the new
 *   event may carry news the running attempt did not see).
 * - A claim is one UPDATE … RETURNING that takes a due job and stamps it with a fresh lease id;
 *   every later write names that lease id, so a worker whose lease expired (and whose job was
 *   claimed again) can no longer touch it.
 * - A running job is taken over (or, on its last attempt, reaped) only when its lease has expired
 *   by the wall clock AND this store has watched the same lease mark (lease id and heartbeat
 *   stamp) go unrenewed for a lease's length of monotonic time. The wall clock can jump forward
 *   past every lease at once; monotonic time cannot, and a live worker's heartbeat changes the
 *   mark well within a lease.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type Statement, statement } from "../db/statement";
import type { Clock } from "../lib/clock";
import { AppError, describeError, RetryAfterError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from "./backoff";
import { type ClaimedRow, JobReads, toClaimed } from "./job-reads";
import { type PruneLimits, pruneFinishedJobs } from "./prune-finished";
import { type ClaimedJob, DEFAULT_QUEUE, type EnqueueRequest, type FailureOutcome } from "./types";

export const DEFAULT_JOB_LEASE_MS = 60_000;
export const DEFAULT_JOB_MAX_ATTEMPTS = 8;

export type JobStoreOptions = {
  leaseMs?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /**
   * Monotonic milliseconds; default the clock's own (`Clock.monotonic`). Without one (Workers,
   * whose isolates live too briefly to watch a lease) lease decisions use the wall clock alone.
   */
  monotonic?: () => number;
};

/** A running job's lease as a claimer sees it: the mark changes with every claim and heartbeat. */
type WatchedLease = { id: string; mark: string; lockedUntil: number; attempts: number; maxAttempts: number };

/** Which jobs a removal takes; running jobs are never removed (their worker settles them). */
export type JobSelection = {
  type?: string;
  keys?: readonly string[];
  /** Keys starting with this text (compared with substr: ids contain "_", a LIKE wildcard). */
  keyPrefix?: string;
  /** Keys produced by this sub-select (e.g. the ids of a bucket's deliveries). */
  keysFrom?: SQL;
};

const MAX_ERROR_LENGTH = 2_000;
/** What changes with every claim and heartbeat of a running job: watched to tell a live lease from a dead one. */
const LEASE_MARK = sql.raw(`(lease_id || ':' || updated_at)`);
/** The condition of an enqueue that has none. */
const ALWAYS = statement`1`;

const RETURNING_CLAIMED = sql`RETURNING id, queue, type, idempotency_key, payload, attempts, max_attempts, lease_id`;

export class JobStore extends JobReads {
  readonly leaseMs: number;
  readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly monotonic: (() => number) | null;
  /** Running jobs' lease marks, and the monotonic time each was first seen unchanged (per store, not module, state). */
  private readonly watched = new Map<string, { mark: string; since: number }>();

  constructor(
    database: Database,
    private readonly clock: Clock,
    options: JobStoreOptions = {},
  ) {
    super(database);
    this.leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_JOB_MAX_ATTEMPTS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.monotonic = options.monotonic ?? (clock.monotonic ? () => clock.monotonic?.() ?? 0 : null);
  }

  /**
   * The enqueue as a statement, to be run inside a caller's `atomic` list. With `onlyIf`, the job
   * is written only when that SQL condition holds at that point of the batch; with
   * `unlessActive`, only when no job with this key is waiting or running (a poll must not
   * re-run work a webhook already queued).
   */
  enqueueStatement(
    request: EnqueueRequest,
    options: { onlyIf?: SQLWrapper; unlessActive?: boolean } = {},
  ): Statement {
    const now = this.clock.now();
    const queue = request.queue ?? DEFAULT_QUEUE;
    const availableAt = now + (request.delayMs ?? 0);
    const onlyIf = options.onlyIf ?? ALWAYS;
    const condition = options.unlessActive
      ? statement`${onlyIf} AND NOT ${this.activeCondition(request.key, queue)}`
      : onlyIf;
    return statement`
      INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, attempts, max_attempts,
                        available_at, rerun, created_at, updated_at)
      SELECT ${newId("job")}, ${queue}, ${request.type}, ${request.key}, ${JSON.stringify(request.payload)},
             'pending', 0, ${request.maxAttempts ?? this.maxAttempts}, ${availableAt}, 0, ${now}, ${now}
      WHERE ${condition}
      ON CONFLICT (queue, idempotency_key) DO UPDATE SET
        payload = excluded.payload,
        rerun = CASE WHEN jobs.status = 'running' THEN 1 ELSE jobs.rerun END,
        attempts = CASE WHEN jobs.status IN ('done', 'dead') THEN 0 ELSE jobs.attempts END,
        max_attempts = CASE WHEN jobs.status IN ('done', 'dead') THEN excluded.max_attempts ELSE jobs.max_attempts END,
        available_at = CASE WHEN jobs.status IN ('done', 'dead') THEN excluded.available_at ELSE jobs.available_at END,
        last_error = CASE WHEN jobs.status IN ('done', 'dead') THEN NULL ELSE jobs.last_error END,
        finished_at = CASE WHEN jobs.status IN ('done', 'dead') THEN NULL ELSE jobs.finished_at END,
        status = CASE WHEN jobs.status IN ('done', 'dead') THEN 'pending' ELSE jobs.status END,
        updated_at = excluded.updated_at`;
  }

  async enqueue(request: EnqueueRequest): Promise<void> {
    await this.database.atomic([this.enqueueStatement(request)]);
  }

  /** SQL that is true while a job with this key is waiting or running, for conditions in other statements. */
  activeCondition(key: string, queue: string = DEFAULT_QUEUE): Statement {
    return statement`EXISTS (SELECT 1 FROM jobs WHERE queue = ${queue} AND idempotency_key = ${key}
                                             AND status IN ('pending', 'running'))`;
  }

  /** Removes the selected jobs that are not running, as a statement for the caller's atomic write. */
  deleteStatement(selection: JobSelection, queue: string = DEFAULT_QUEUE): SQL {
    const conditions = [sql`queue = ${queue}`, sql`status != 'running'`];
    if (selection.type !== undefined) conditions.push(sql`type = ${selection.type}`);
    const keyed: SQL[] = [];
    if (selection.keys && selection.keys.length > 0)
      keyed.push(
        sql`idempotency_key IN (${sql.join(
          selection.keys.map((key) => sql`${key}`),
          sql`, `,
        )})`,
      );
    if (selection.keyPrefix !== undefined)
      keyed.push(sql`substr(idempotency_key, 1, ${selection.keyPrefix.length}) = ${selection.keyPrefix}`);
    if (selection.keysFrom) keyed.push(sql`idempotency_key IN (${selection.keysFrom})`);
    // A selection that names no keys removes nothing, never the whole queue.
    conditions.push(keyed.length > 0 ? sql`(${sql.join(keyed, sql` OR `)})` : sql`0`);
    return sql`DELETE FROM jobs WHERE ${sql.join(conditions, sql` AND `)}`;
  }

  /**
   * Takes one due job (or one whose lease has lapsed, see above) and leases it to the caller; null
   * when none is due. `exclude`: jobs the caller is running itself, never taken from it.
   */
  async claim(
    queue: string = DEFAULT_QUEUE,
    options: { exclude?: ReadonlySet<string> } = {},
  ): Promise<ClaimedJob | null> {
    const now = this.clock.now();
    const lapsed = (await this.lapsedLeases(queue, now)).filter(
      (lease) => lease.attempts < lease.maxAttempts && !options.exclude?.has(lease.id),
    );
    const leaseId = newId("lease");
    const rows = await this.database.db.all<ClaimedRow>(
      this.claimStatement(
        queue,
        now,
        leaseId,
        lapsed.map((lease) => lease.mark),
      ),
    );
    const claimed = rows[0] ? toClaimed(rows[0]) : null;
    // Its lease is watched from the moment it was granted.
    if (claimed && this.monotonic)
      this.watched.set(claimed.id, { mark: `${leaseId}:${now}`, since: this.monotonic() });
    return claimed;
  }

  /**
   * Watches every running job's lease mark and returns those whose wall-clock lease expired and
   * whose mark this store has seen unchanged for at least a lease of monotonic time. A store
   * seeing a lease for the first time (just started, or the mark just changed) waits a lease.
   */
  private async lapsedLeases(queue: string, now: number): Promise<WatchedLease[]> {
    const rows = await this.database.db.all<{
      id: string;
      mark: string;
      locked_until: number | null;
      attempts: number;
      max_attempts: number;
    }>(sql`SELECT id, ${LEASE_MARK} AS mark, locked_until, attempts, max_attempts
             FROM jobs WHERE queue = ${queue} AND status = 'running'`);
    const at = this.monotonic?.() ?? null;
    const seen = new Set<string>();
    const lapsed: WatchedLease[] = [];
    for (const row of rows) {
      seen.add(row.id);
      const watched = this.watched.get(row.id);
      if (at !== null && (!watched || watched.mark !== row.mark)) {
        this.watched.set(row.id, { mark: row.mark, since: at });
        continue;
      }
      const unrenewed = at === null || (watched !== undefined && at - watched.since >= this.leaseMs);
      if ((row.locked_until ?? 0) <= now && unrenewed)
        lapsed.push({
          id: row.id,
          mark: row.mark,
          lockedUntil: row.locked_until ?? 0,
          attempts: row.attempts,
          maxAttempts: row.max_attempts,
        });
    }
    for (const id of [...this.watched.keys()]) if (!seen.has(id)) this.watched.delete(id);
    return lapsed;
  }

  /**
   * Claims one named job (the Workers consumer: a message names its job). `due` takes it only if
   * `claim` could have; `any` (the dead-letter consumer) also takes one scheduled later, or one
   * whose lease expired on its last attempt, so it can be settled as dead.
   */
  async claimById(jobId: string, mode: "due" | "any" = "due"): Promise<ClaimedJob | null> {
    const now = this.clock.now();
    const claimable =
      mode === "due"
        ? sql`((status = 'pending' AND available_at <= ${now})
               OR (status = 'running' AND locked_until <= ${now} AND attempts < max_attempts))`
        : sql`(status = 'pending' OR (status = 'running' AND locked_until <= ${now}))`;
    const rows = await this.database.db.all<ClaimedRow>(sql`
      UPDATE jobs
         SET status = 'running', lease_id = ${newId("lease")}, locked_until = ${now + this.leaseMs},
             attempts = attempts + 1, updated_at = ${now}
       WHERE id = ${jobId} AND ${claimable}
      ${RETURNING_CLAIMED}`);
    return rows[0] ? toClaimed(rows[0]) : null;
  }

  /**
   * The claim as one compare-and-swap statement (exposed so its query plan can be checked). A
   * running job is taken only with one of the `lapsed` lease marks, i.e. unchanged since watched.
   */
  claimStatement(queue: string, now: number, leaseId: string, lapsed: readonly string[] = []): SQL {
    // `IN (NULL)` when none has lapsed: never true, and unlike `IN ()` SQLite still plans it on the index.
    const marks =
      lapsed.length > 0
        ? sql.join(
            lapsed.map((mark) => sql`${mark}`),
            sql`, `,
          )
        : sql`NULL`;
    const due = sql`(
      (status = 'pending' AND available_at <= ${now})
      OR (status = 'running' AND locked_until <= ${now} AND attempts < max_attempts AND ${LEASE_MARK} IN (${marks}))
    )`;
    // Two index searches (jobs_claim_idx) rather than one OR: with an OR, SQLite scanned every
    // job of the queue, finished ones included, and claims slowed down as history grew.
    // A crashed worker's job (lease expired) goes first: it is the oldest work.
    const candidate = sql`COALESCE(
      (SELECT id FROM jobs WHERE queue = ${queue} AND status = 'running' AND locked_until <= ${now}
                             AND attempts < max_attempts AND ${LEASE_MARK} IN (${marks}) LIMIT 1),
      (SELECT id FROM jobs WHERE queue = ${queue} AND status = 'pending' AND available_at <= ${now}
        ORDER BY available_at LIMIT 1))`;
    return sql`
      UPDATE jobs
         SET status = 'running', lease_id = ${leaseId}, locked_until = ${now + this.leaseMs},
             attempts = attempts + 1, updated_at = ${now}
       WHERE id = ${candidate} AND ${due}
      ${RETURNING_CLAIMED}`;
  }

  /**
   * Deletes finished jobs older than `olderThanMs`, in short batches (`prune-finished.ts`). Their
   * rows only served to revive a key (an enqueue of a missing key inserts it afresh, to the same
   * effect), so history stays bounded. Dead jobs are kept: people look at them.
   */
  async pruneFinished(
    olderThanMs: number,
    queue: string = DEFAULT_QUEUE,
    limits?: PruneLimits,
  ): Promise<number> {
    return pruneFinishedJobs(this.database, queue, this.clock.now() - olderThanMs, limits);
  }

  /** Marks the job done, or pending again if it was re-enqueued while running. False if the lease was lost. */
  async complete(job: ClaimedJob): Promise<boolean> {
    const now = this.clock.now();
    const [result] = await this.database.atomic([
      sql`UPDATE jobs
             SET status = CASE WHEN rerun = 1 THEN 'pending' ELSE 'done' END,
                 attempts = CASE WHEN rerun = 1 THEN 0 ELSE attempts END,
                 available_at = ${now}, rerun = 0, lease_id = NULL, locked_until = NULL, last_error = NULL,
                 finished_at = CASE WHEN rerun = 1 THEN NULL ELSE ${now} END, updated_at = ${now}
           WHERE id = ${job.id} AND lease_id = ${job.leaseId}`,
    ]);
    return result?.changed ?? false;
  }

  /**
   * Records a failed attempt: a `RetryAfterError` waits without spending the attempt; otherwise
   * back off, or dead-letter once the attempts are spent (unless re-enqueued while running).
   */
  async fail(job: ClaimedJob, error: unknown): Promise<FailureOutcome> {
    const now = this.clock.now();
    const message = describeError(error).slice(0, MAX_ERROR_LENGTH);
    let outcome: FailureOutcome;
    let statement: SQL;
    if (error instanceof RetryAfterError) {
      const availableAt = now + error.delayMs;
      outcome = { kind: "retry", availableAt };
      statement = sql`UPDATE jobs SET status = 'pending', attempts = attempts - 1, available_at = ${availableAt},
                        rerun = 0, lease_id = NULL, locked_until = NULL, last_error = ${message}, updated_at = ${now}
                      WHERE id = ${job.id} AND lease_id = ${job.leaseId}`;
    } else if (job.attempt >= job.maxAttempts || (error instanceof AppError && !error.retryable)) {
      // Spent attempts, or an error that retrying cannot fix (bad credentials, invalid input):
      // dead-letter now and let a person retry once the cause is fixed.
      outcome = { kind: "dead" };
      // A job re-enqueued while running gets a fresh set of attempts instead of dying.
      statement = sql`UPDATE jobs
                         SET status = CASE WHEN rerun = 1 THEN 'pending' ELSE 'dead' END,
                             attempts = CASE WHEN rerun = 1 THEN 0 ELSE attempts END,
                             available_at = ${now}, rerun = 0, lease_id = NULL, locked_until = NULL,
                             last_error = ${message}, finished_at = CASE WHEN rerun = 1 THEN NULL ELSE ${now} END,
                             updated_at = ${now}
                       WHERE id = ${job.id} AND lease_id = ${job.leaseId}`;
    } else {
      const availableAt = now + backoffDelayMs(job.attempt, this.backoff, this.random);
      outcome = { kind: "retry", availableAt };
      statement = sql`UPDATE jobs SET status = 'pending', available_at = ${availableAt}, rerun = 0,
                        lease_id = NULL, locked_until = NULL, last_error = ${message}, updated_at = ${now}
                      WHERE id = ${job.id} AND lease_id = ${job.leaseId}`;
    }
    const rows = await this.database.db.all<{ status: string; available_at: number }>(
      sql`${statement} RETURNING status, available_at`,
    );
    const row = rows[0];
    if (!row) return { kind: "lost" };
    // Re-enqueued while running on its last attempt: it got fresh attempts instead of dying.
    if (outcome.kind === "dead" && row.status !== "dead")
      return { kind: "retry", availableAt: row.available_at };
    return outcome;
  }

  /** Gives a job back untouched (graceful shutdown): the attempt it was on is not counted. */
  async release(job: ClaimedJob): Promise<void> {
    const now = this.clock.now();
    await this.database.atomic([
      sql`UPDATE jobs SET status = 'pending', attempts = MAX(attempts - 1, 0), available_at = ${now},
            lease_id = NULL, locked_until = NULL, updated_at = ${now}
          WHERE id = ${job.id} AND lease_id = ${job.leaseId}`,
    ]);
  }

  /** Extends a long job's lease; false if it was lost. */
  async heartbeat(job: ClaimedJob): Promise<boolean> {
    const now = this.clock.now();
    // The stamp moves on every heartbeat, even if the wall clock did not: it is the lease mark.
    const [result] = await this.database.atomic([
      sql`UPDATE jobs SET locked_until = ${now + this.leaseMs}, updated_at = MAX(${now}, updated_at + 1)
          WHERE id = ${job.id} AND lease_id = ${job.leaseId} AND status = 'running'`,
    ]);
    return result?.changed ?? false;
  }

  /**
   * Dead-letters running jobs whose lease expired on their last attempt: their worker died (a
   * job that crashes the process every time must not be claimed forever).
   */
  async reapExpired(queue: string = DEFAULT_QUEUE): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const lapsed = (await this.lapsedLeases(queue, now)).filter(
      (lease) => lease.attempts >= lease.maxAttempts,
    );
    if (lapsed.length === 0) return [];
    const marks = sql.join(
      lapsed.map((lease) => sql`${lease.mark}`),
      sql`, `,
    );
    const rows = await this.database.db.all<ClaimedRow>(sql`
      UPDATE jobs SET status = 'dead', lease_id = NULL, locked_until = NULL, finished_at = ${now},
                      last_error = COALESCE(last_error, 'The worker running the last attempt stopped (lease expired)'),
                      updated_at = ${now}
       WHERE queue = ${queue} AND status = 'running' AND locked_until <= ${now} AND attempts >= max_attempts
         AND ${LEASE_MARK} IN (${marks})
      ${RETURNING_CLAIMED}`);
    return rows.map((row) => ({ ...toClaimed(row), leaseId: "" }));
  }

  /** Puts a dead job back in line with fresh attempts. False when no dead job has that key. */
  async retryDead(key: string, queue: string = DEFAULT_QUEUE): Promise<boolean> {
    const now = this.clock.now();
    const [result] = await this.database.atomic([
      sql`UPDATE jobs SET status = 'pending', attempts = 0, available_at = ${now}, finished_at = NULL,
            updated_at = ${now}
          WHERE queue = ${queue} AND idempotency_key = ${key} AND status = 'dead'`,
    ]);
    return result?.changed ?? false;
  }
}
