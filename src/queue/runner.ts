/**
 * Runs queued jobs on Node: `concurrency` loops that claim, run and settle jobs, woken early by
 * the doorbell when something was just enqueued (so a webhook's job starts within milliseconds,
 * not at the next poll). `drain()` is the same work for one-shot runs and tests: it returns when
 * nothing is left to do. On Workers, the Queues consumer calls `runClaimed` instead.
 */
import type { Clock } from "../lib/clock";
import { describeError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { realSleep, type Sleep } from "../lib/token-bucket";
import type { Doorbell } from "./doorbell";
import type { JobStore } from "./job-store";
import { type ClaimedJob, DEFAULT_QUEUE, type JobRegistry } from "./types";

/** Finished jobs are kept a week (for inspection), then pruned, on Node and by the Workers cron. */
export const FINISHED_JOB_RETENTION_MS = 7 * 24 * 3600_000;
export const DEFAULT_RUNNER_CONCURRENCY = 4;
/** How often one loop reaps expired leases and prunes finished jobs (`housekeeping`). */
export const HOUSEKEEPING_INTERVAL_MS = 30_000;

export type JobOutcome = "completed" | "retried" | "dead" | "lost" | "unknown_type";

export type RunnerOptions = {
  store: JobStore;
  registry: JobRegistry;
  /** Rung by enqueuers: idle loops wake at once. */
  doorbell: Doorbell;
  logger: Logger;
  clock: Clock;
  queue?: string;
  concurrency?: number;
  /** Longest idle wait between looks at the table when nobody calls `notify()` (other processes may enqueue). */
  pollIntervalMs?: number;
  sleep?: Sleep;
  /** Finished jobs older than this are pruned by the loops. */
  finishedRetentionMs?: number;
  onOutcome?: (type: string, outcome: JobOutcome, durationMs: number) => void;
};

export type DrainOptions = {
  /** Also wait for jobs scheduled later (backoff, Retry-After) instead of returning when none is due now. */
  waitForDelayed?: boolean;
  /** Give up after this long (milliseconds of wall time). */
  timeoutMs?: number;
};

export type DrainResult = { ran: number; timedOut: boolean };

export class JobRunner {
  private readonly queue: string;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly sleep: Sleep;
  private readonly inFlight = new Map<string, { job: ClaimedJob; done: Promise<void> }>();
  private readonly doorbell: Doorbell;
  private loops: Promise<void>[] = [];
  private running = false;
  /** A loop is reaping and pruning (`housekeeping`). */
  private housekeepingRun = false;
  /** When the last housekeeping began (the runner's clock); at start, at once. */
  private lastHousekeeping = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: RunnerOptions) {
    this.queue = options.queue ?? DEFAULT_QUEUE;
    this.concurrency = options.concurrency ?? DEFAULT_RUNNER_CONCURRENCY;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.sleep = options.sleep ?? realSleep;
    this.doorbell = options.doorbell;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  /**
   * Stops claiming, lets in-flight jobs finish for up to `graceMs`, then releases the leases of
   * those still running so another process picks them up at once (their late results are
   * discarded by the lease check).
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.doorbell.ring();
    const settled = Promise.all(this.loops);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<boolean>((done) => {
      timer = setTimeout(() => done(true), graceMs);
    });
    // The grace timer is cleared once the loops settle, so it never holds the process open.
    const timedOut = await Promise.race([settled.then(() => false), grace]);
    clearTimeout(timer);
    if (timedOut) {
      for (const { job } of this.inFlight.values()) {
        await this.options.store.release(job);
        this.options.logger.warn("Released a job still running at shutdown", {
          job_id: job.id,
          type: job.type,
        });
      }
    }
    this.loops = [];
  }

  /** Runs jobs until none is left (see `DrainOptions`). Safe to call while stopped. */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let ran = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const job = await this.options.store.claim(this.queue, { exclude: this.runningIds() });
        if (job) {
          await this.track(job);
          ran++;
          continue;
        }
        if (this.inFlight.size > 0) {
          // Another loop's job may enqueue follow-ups (e.g. an ingest enqueues its delivery).
          await Promise.race([
            ...[...this.inFlight.values()].map((f) => f.done),
            this.doorbell.wait(this.pollIntervalMs),
          ]);
          continue;
        }
        if (!options.waitForDelayed) return;
        const nextDueAt = await this.options.store.nextDueAt(this.queue);
        if (nextDueAt === null) return;
        const waitMs = Math.max(0, nextDueAt - this.options.clock.now());
        await this.doorbell.wait(
          Math.min(waitMs + 5, this.pollIntervalMs, Math.max(0, deadline - Date.now())),
        );
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    return { ran, timedOut: Date.now() >= deadline };
  }

  /** Runs one claimed job to its outcome (also used by the Workers queue consumer). */
  async runClaimed(job: ClaimedJob): Promise<JobOutcome> {
    const { store, registry, logger } = this.options;
    const started = Date.now();
    const definition = registry[job.type];
    const log = logger.child({ job_id: job.id, type: job.type, key: job.key, attempt: job.attempt });
    if (!definition) {
      log.error("No handler for job type; dead-lettering it");
      await store.fail({ ...job, attempt: job.maxAttempts }, new Error(`Unknown job type ${job.type}`));
      this.report(job.type, "unknown_type", started);
      return "unknown_type";
    }
    const heartbeat = setInterval(
      () => {
        // A failed heartbeat (database briefly locked or closing) must not crash the process;
        // the worst case is that the lease expires and another worker takes the job over.
        store
          .heartbeat(job)
          .catch((err) => log.warn("Lease heartbeat failed", { error: describeError(err) }));
      },
      Math.max(1_000, store.leaseMs / 3),
    );
    try {
      await definition.handle(job);
      clearInterval(heartbeat);
      const kept = await store.complete(job);
      if (!kept) log.warn("Job finished after its lease was lost; another worker owns it now");
      this.report(job.type, kept ? "completed" : "lost", started);
      return kept ? "completed" : "lost";
    } catch (error) {
      clearInterval(heartbeat);
      const outcome = await store.fail(job, error);
      if (outcome.kind === "dead") {
        log.error("Job dead-lettered after its last attempt", { error: describeError(error) });
        await definition.onDead?.(job, error);
      } else if (outcome.kind === "retry") {
        log.warn("Job failed; will retry", {
          error: describeError(error),
          retry_in_ms: outcome.availableAt - this.options.clock.now(),
        });
      }
      const result: JobOutcome = outcome.kind === "retry" ? "retried" : outcome.kind;
      this.report(job.type, result, started);
      return result;
    }
  }

  /** Dead-letters jobs whose worker died on their last attempt, and records why. */
  async reap(): Promise<void> {
    for (const job of await this.options.store.reapExpired(this.queue)) {
      this.options.logger.error("Job dead-lettered: its worker stopped during the last attempt", {
        job_id: job.id,
      });
      await this.options.registry[job.type]?.onDead?.(
        job,
        new Error("The worker stopped during the last attempt"),
      );
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        if (this.options.clock.now() - this.lastHousekeeping >= HOUSEKEEPING_INTERVAL_MS)
          await this.housekeeping();
        const job = await this.options.store.claim(this.queue, { exclude: this.runningIds() });
        if (job) {
          await this.track(job);
          continue;
        }
        await this.doorbell.wait(this.pollIntervalMs);
      } catch (error) {
        // The database may be briefly unavailable (locked, disk full): keep the loop alive.
        this.options.logger.error("Job loop error", { error: describeError(error) });
        await this.sleep(this.pollIntervalMs);
      }
    }
  }

  /**
   * Reaps expired leases and prunes finished jobs, every `HOUSEKEEPING_INTERVAL_MS` whether or not
   * there are jobs to run (a runner that is never idle must still bound the table), by one loop at
   * a time while the others go on claiming.
   * A pruning call writes a bounded share of the WAL (`prune-finished.ts`); several loops pruning
   * at once (all of them at start) would write several shares without a pause, past the point
   * where a commit on the event loop copies the WAL into the file itself.
   */
  private async housekeeping(): Promise<void> {
    if (this.housekeepingRun) return;
    this.housekeepingRun = true;
    this.lastHousekeeping = this.options.clock.now();
    try {
      await this.reap();
      await this.options.store.pruneFinished(
        this.options.finishedRetentionMs ?? FINISHED_JOB_RETENTION_MS,
        this.queue,
      );
    } finally {
      this.housekeepingRun = false;
    }
  }

  /** The jobs this runner is running: never claimed again by its own loops, whatever the clocks say. */
  private runningIds(): ReadonlySet<string> {
    return new Set(this.inFlight.keys());
  }

  private async track(job: ClaimedJob): Promise<void> {
    const done = this.runClaimed(job).then(() => undefined);
    this.inFlight.set(job.id, { job, done });
    try {
      await done;
    } finally {
      this.inFlight.delete(job.id);
      this.doorbell.ring();
    }
  }

  private report(type: string, outcome: JobOutcome, started: number): void {
    this.options.onOutcome?.(type, outcome, Date.now() - started);
  }
}
