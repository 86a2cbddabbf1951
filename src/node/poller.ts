/**
 * The Node scheduler: every `tickMs` it queues a pass for each sync that is due. It does no
 * reconciliation itself; the `reconcile` job does. On Workers, a Cron Trigger calls
 * `scheduleDuePasses` instead.
 */
import { describeError } from "../lib/errors";
import { scheduleDuePasses } from "../resources/passes";
import type { Deps } from "../sync/deps";

export class Poller {
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly deps: Pick<Deps, "database" | "jobs" | "clock" | "doorbell" | "logger">,
    private readonly tickMs = 5_000,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** One look for due syncs; overlapping ticks are skipped, not stacked. */
  tick(): Promise<void> {
    this.ticking ??= scheduleDuePasses(this.deps)
      .then((runIds) => {
        if (runIds.length > 0) this.deps.logger.debug("Queued reconciliation passes", { runs: runIds });
      })
      .catch((err) => this.deps.logger.error("Poller tick failed", { error: describeError(err) }))
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }
}
