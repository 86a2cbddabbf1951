/**
 * The Node scheduler: every `tickMs` it queues a pass for each sync that is due. It does no
 * reconciliation itself; the `reconcile` job does. On Workers, a Cron Trigger calls
 * `scheduleDuePasses` instead.
 */
import { describeError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { type ScheduleServices, scheduleDuePasses } from "../resources/passes";

export class Poller {
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly services: ScheduleServices & { logger: Logger },
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
    this.ticking ??= scheduleDuePasses(this.services)
      .then((runIds) => {
        if (runIds.length > 0) this.services.logger.debug("Queued reconciliation passes", { runs: runIds });
      })
      .catch((err) => this.services.logger.error("Poller tick failed", { error: describeError(err) }))
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }
}
