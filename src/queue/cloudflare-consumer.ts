/**
 * The Cloudflare Queues consumer's decisions, one message at a time. It runs the same job
 * handlers as the Node runner (`JobRunner.runClaimed`); what differs is only how the next
 * attempt is scheduled: instead of a poll loop, the message itself is retried with the delay
 * `JobStore` computed (backoff, Retry-After), or acknowledged when the job needs nothing more.
 *
 * A message is at-least-once: it may arrive twice, early, or after its job finished. The claim is
 * a compare-and-swap in D1, so only one delivery runs the job; every other one is acknowledged.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { queueDelaySeconds } from "./cloudflare-message";
import type { JobStore } from "./job-store";
import type { JobRunner } from "./runner";
import type { JobRegistry } from "./types";

export type MessageVerdict = { action: "ack" } | { action: "retry"; delaySeconds: number };

export type JobMessageConsumerOptions = {
  database: Database;
  clock: Clock;
  logger: Logger;
  store: JobStore;
  runner: JobRunner;
  registry: JobRegistry;
};

const ACK: MessageVerdict = { action: "ack" };

export class JobMessageConsumer {
  constructor(private readonly options: JobMessageConsumerOptions) {}

  /** A message from the jobs queue: run the job if it is due, then say what becomes of the message. */
  async handle(jobId: string): Promise<MessageVerdict> {
    const { store, runner } = this.options;
    const job = await store.claimById(jobId, "due");
    if (!job) return this.verdictWithoutClaim(jobId);
    await this.messageConsumed(jobId);
    await runner.runClaimed(job);
    return this.verdictAfterRun(jobId);
  }

  /**
   * A message that Queues gave up on (the consumer kept failing on it, `max_retries` times):
   * the job is dead-lettered exactly as if its last attempt had failed, so its object becomes
   * `failed` through the registry's `onDead`, where people look for it and can retry it.
   */
  async handleDeadLetter(jobId: string): Promise<MessageVerdict> {
    const { clock, store, registry, logger } = this.options;
    const job = await store.claimById(jobId, "any");
    if (!job) {
      const current = await store.read(jobId);
      if (current?.status === "running" && current.lockedUntil !== null) {
        // Someone is running it right now; look again when that lease runs out.
        return { action: "retry", delaySeconds: queueDelaySeconds(current.lockedUntil - clock.now()) };
      }
      return ACK;
    }
    await this.messageConsumed(jobId);
    const before = await store.read(jobId);
    const error = new Error(
      `Cloudflare Queues gave up on this job's message (dead-letter queue)${
        before?.lastError ? `; last error: ${before.lastError}` : ""
      }`,
    );
    const outcome = await store.fail({ ...job, attempt: job.maxAttempts }, error);
    if (outcome.kind === "dead") {
      logger.error("Job dead-lettered from the dead-letter queue", { job_id: job.id, type: job.type });
      await registry[job.type]?.onDead?.(job, error);
    }
    // A job re-enqueued meanwhile got fresh attempts instead: the dispatcher sends it a new
    // message on the jobs queue (retrying this one would bring it back here).
    return ACK;
  }

  /** The message that claimed the job has done its work: the job's next wait needs a new one. */
  private async messageConsumed(jobId: string): Promise<void> {
    await this.options.database.atomic([sql`DELETE FROM job_messages WHERE job_id = ${jobId}`]);
  }

  /** After a run: a job that is pending again (backoff, Retry-After, re-enqueued while running) keeps this message. */
  private async verdictAfterRun(jobId: string): Promise<MessageVerdict> {
    const now = this.options.clock.now();
    // Take the mark, unless a concurrent dispatcher already sent the job a new message.
    const rows = await this.options.database.db.all<{ due_at: number }>(sql`
      INSERT INTO job_messages (job_id, due_at)
      SELECT id, MAX(available_at, ${now}) FROM jobs WHERE id = ${jobId} AND status = 'pending'
      ON CONFLICT (job_id) DO NOTHING
      RETURNING due_at`);
    const row = rows[0];
    if (!row) return ACK;
    return { action: "retry", delaySeconds: queueDelaySeconds(row.due_at - now) };
  }

  /** The job could not be claimed: find out why, and whether this message still has a purpose. */
  private async verdictWithoutClaim(jobId: string): Promise<MessageVerdict> {
    const { store, clock, logger } = this.options;
    const job = await store.read(jobId);
    if (!job) {
      logger.warn("Message for a job that no longer exists; dropping it", { job_id: jobId });
      return ACK;
    }
    if (job.status === "pending") {
      const waitMs = job.availableAt - clock.now();
      // Not due yet (early delivery, or the job was pushed back meanwhile): come back when it is.
      // A due job that could not be claimed lost a race and is already running elsewhere.
      if (waitMs > 0) return { action: "retry", delaySeconds: queueDelaySeconds(waitMs) };
    }
    // done or dead: a duplicate. running: the worker holding the lease settles it and keeps its
    // own message for any retry; if that worker dies, Queues redelivers its message.
    return ACK;
  }
}
