/**
 * Mux's sustained GET limit as a token bucket on the fake's clock. Unlike the client-side
 * bucket in src/lib, this one never waits: it answers "no, retry after N seconds".
 */
import type { Clock } from "../lib/clock";
import type { RateLimitOptions } from "./types";

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private limit: RateLimitOptions | null,
    private readonly clock: Clock,
  ) {
    this.tokens = limit?.burst ?? 0;
    this.updatedAt = clock.now();
  }

  configure(limit: RateLimitOptions | null): void {
    this.limit = limit;
    this.tokens = limit?.burst ?? 0;
    this.updatedAt = this.clock.now();
  }

  /** A full bucket again (after a reset of the fake). */
  refill(): void {
    this.configure(this.limit);
  }

  take(): RateDecision {
    const { limit } = this;
    if (!limit || limit.perSecond <= 0) return { allowed: true };
    const now = this.clock.now();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(Math.max(1, limit.burst), this.tokens + elapsedSeconds * limit.perSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / limit.perSecond)) };
  }
}
