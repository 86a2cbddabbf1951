/**
 * Sends one Cloudflare Queues message per job that needs one. The jobs table in D1 stays the
 * queue's source of truth; Queues only delivers the "run job X (at T)" doorbell.
 *
 * Which pending jobs already have a message on its way is the `job_messages` table's business
 * (see `tables.ts`): a pending job without a row needs a message. Marking is an insert that
 * loses on conflict, so concurrent dispatchers (several invocations, the cron) send each job
 * once. The mark is written before the send: a send that fails leaves a mark with no message,
 * which `dispatchLost` (the cron) repairs after `lostAfterMs`.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { Clock } from "../lib/clock";
import { describeError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { type JobMessage, queueDelaySeconds } from "./cloudflare-message";
import { DEFAULT_QUEUE } from "./types";

/** The part of a Queues producer binding the dispatcher uses (tests pass a recorder). */
export type JobMessageProducer = {
  sendBatch(messages: Iterable<{ body: JobMessage; delaySeconds?: number }>): Promise<unknown>;
};

export type JobDispatcherOptions = {
  database: Database;
  clock: Clock;
  logger: Logger;
  producer: JobMessageProducer;
  queue?: string;
  /** A message still not acted on this long after it was due is presumed lost, and sent again. */
  lostAfterMs?: number;
  /** How far back `dispatchRecent` looks for jobs that became pending without a message. */
  recentWindowMs?: number;
};

/** `sendBatch` takes at most 100 messages. */
const BATCH = 100;
/** Bounds one call's D1 queries; whatever is left is picked up by the next call or the cron. */
const MAX_ROUNDS = 5;

export const DEFAULT_LOST_AFTER_MS = 2 * 60_000;
const DEFAULT_RECENT_WINDOW_MS = 60_000;

type Marked = { id: string; due_at: number };

export class JobDispatcher {
  private readonly queue: string;
  private readonly lostAfterMs: number;
  private readonly recentWindowMs: number;

  constructor(private readonly options: JobDispatcherOptions) {
    this.queue = options.queue ?? DEFAULT_QUEUE;
    this.lostAfterMs = options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS;
    this.recentWindowMs = options.recentWindowMs ?? DEFAULT_RECENT_WINDOW_MS;
  }

  /**
   * After work that may have enqueued jobs (a webhook, a job run, a cron tick): sends the jobs
   * that became pending lately and have no message. Every move into `pending` sets
   * `available_at` to now or later, so a look-back window keeps this an index range scan
   * (jobs_claim_idx) instead of a scan of every pending job.
   */
  dispatchRecent(): Promise<number> {
    const since = this.options.clock.now() - this.recentWindowMs;
    return this.markAndSend(() => sql`available_at >= ${since}`, "recent");
  }

  /**
   * The cron's repair: due jobs with no message (the invocation that wrote them died before
   * sending) or whose message should have arrived long ago (a failed send, a lost message), and
   * running jobs whose worker vanished with attempts left.
   */
  async dispatchLost(): Promise<number> {
    const now = this.options.clock.now();
    const staleBefore = now - this.lostAfterMs;
    const unsent = await this.markAndSend(() => sql`available_at <= ${now}`, "lost");
    const stale = await this.resendStale(now, staleBefore);
    return unsent + stale + (await this.dispatchAbandoned(staleBefore));
  }

  /** Marks pending jobs matching `condition` that have no message, then sends them; in rounds. */
  private async markAndSend(condition: () => SQL, why: string): Promise<number> {
    let sent = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.options.clock.now();
      const marked = await this.options.database.db.all<Marked>(sql`
        INSERT INTO job_messages (job_id, due_at)
        SELECT id, MAX(available_at, ${now}) FROM jobs
         WHERE queue = ${this.queue} AND status = 'pending' AND ${condition()}
           AND NOT EXISTS (SELECT 1 FROM job_messages m WHERE m.job_id = jobs.id)
         ORDER BY available_at LIMIT ${BATCH}
        ON CONFLICT (job_id) DO NOTHING
        RETURNING job_id AS id, due_at`);
      if (marked.length === 0) break;
      if (!(await this.send(marked, now, why))) break;
      sent += marked.length;
      if (marked.length < BATCH) break;
    }
    return sent;
  }

  /** Due jobs whose message is long overdue: moved forward (compare-and-swap) and sent again. */
  private async resendStale(now: number, staleBefore: number): Promise<number> {
    const rows = await this.options.database.db.all<Marked>(sql`
      UPDATE job_messages SET due_at = ${now}
       WHERE due_at <= ${staleBefore} AND job_id IN (
             SELECT m.job_id FROM job_messages m JOIN jobs j ON j.id = m.job_id
              WHERE j.queue = ${this.queue} AND j.status = 'pending' AND j.available_at <= ${now}
                AND m.due_at <= ${staleBefore}
              LIMIT ${BATCH})
      RETURNING job_id AS id, due_at`);
    if (rows.length === 0) return 0;
    return (await this.send(rows, now, "lost")) ? rows.length : 0;
  }

  /** Running jobs are not marked: one whose worker vanished is re-sent each sweep until claimed. */
  private async dispatchAbandoned(staleBefore: number): Promise<number> {
    const rows = await this.options.database.db.all<Marked>(sql`
      SELECT id, available_at AS due_at FROM jobs
       WHERE queue = ${this.queue} AND status = 'running' AND locked_until <= ${staleBefore}
         AND attempts < max_attempts
       ORDER BY locked_until LIMIT ${BATCH}`);
    if (rows.length === 0) return 0;
    return (await this.send(rows, this.options.clock.now(), "abandoned")) ? rows.length : 0;
  }

  private async send(jobs: Marked[], now: number, why: string): Promise<boolean> {
    try {
      await this.options.producer.sendBatch(
        jobs.map((job) => ({ body: { jobId: job.id }, delaySeconds: queueDelaySeconds(job.due_at - now) })),
      );
      this.options.logger.debug("Sent job messages", { count: jobs.length, why });
      return true;
    } catch (err) {
      // The jobs are safe in D1; the cron re-sends them once they count as lost.
      this.options.logger.error("Could not send job messages; the cron will re-send them", {
        count: jobs.length,
        why,
        error: describeError(err),
      });
      return false;
    }
  }
}
