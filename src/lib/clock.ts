/** Time as a dependency, so tests can pin it (signature tolerance, leases, backoff). */
export interface Clock {
  /** Milliseconds since the epoch: wall-clock time, which can jump (NTP, a VM resumed, a person). */
  now(): number;
  /**
   * Milliseconds on a clock that never jumps (`performance.now()`): for deciding how long
   * something has lasted, e.g. whether a lease has gone unrenewed. Only differences mean anything.
   */
  monotonic?(): number;
}

export const systemClock: Clock = { now: () => Date.now(), monotonic: () => performance.now() };

/**
 * Wall time alone, for Workers: the platform owns the clock, and an isolate lives too briefly to
 * watch a lease go unrenewed, so leases there are judged by the wall clock as the platform keeps it.
 */
export const platformClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to. `advance` and a forward `set` move both its wall and its
 * monotonic time; `jump` moves the wall clock alone, as a clock step does.
 */
export class ManualClock implements Clock {
  private elapsed = 0;
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  monotonic(): number {
    return this.elapsed;
  }
  set(ms: number): void {
    this.elapsed += Math.max(0, ms - this.current);
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
    this.elapsed += Math.max(0, ms);
  }
  /** The wall clock steps by `ms` (either way); no time passes. */
  jump(ms: number): void {
    this.current += ms;
  }
}
