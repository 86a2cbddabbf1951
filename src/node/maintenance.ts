/**
 * The Node maintenance loop: retention (`src/sync/retention.ts`) in bounded calls. Each tick is
 * one call within `NODE_RETENTION_BUDGET` (a few dozen short statements, at most 25 ms); while a
 * backlog remains the next tick comes after `busyMs`, otherwise after `idleMs`. On Workers the
 * cron makes the same call. Finished jobs are pruned by the runner's own loops (the queue owns them).
 */
import { describeError } from "../lib/errors";
import type { Deps } from "../sync/deps";
import type { Retention, RetentionBudget, RetentionPass } from "../sync/retention";

export const NODE_RETENTION_BUDGET: RetentionBudget = { statements: 100, ms: 25 };
const IDLE_TICK_MS = 60_000;
const BUSY_TICK_MS = 500;

export type MaintenanceOptions = { idleMs?: number; busyMs?: number; budget?: RetentionBudget };

export class MaintenanceLoop {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticking: Promise<RetentionPass | null> | null = null;
  private running = false;

  constructor(
    private readonly deps: Pick<Deps, "logger">,
    private readonly retention: Retention,
    private readonly options: MaintenanceOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** One bounded call; overlapping ticks are skipped, not stacked. Null if it failed (logged). */
  tick(): Promise<RetentionPass | null> {
    this.ticking ??= this.retention
      .prune(this.options.budget ?? NODE_RETENTION_BUDGET)
      .then((pass) => {
        const total = Object.values(pass.pruned).reduce((a, b) => a + b, 0);
        if (total > 0) this.deps.logger.debug("Retention pruned history", { ...pass.pruned });
        return pass;
      })
      .catch((err) => {
        this.deps.logger.error("Retention tick failed", { error: describeError(err) });
        return null;
      })
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.tick().then((pass) => {
        if (!this.running) return;
        const busy = pass !== null && !pass.finished;
        this.schedule(busy ? (this.options.busyMs ?? BUSY_TICK_MS) : (this.options.idleMs ?? IDLE_TICK_MS));
      });
    }, delayMs);
    this.timer.unref?.();
  }
}
