/**
 * "Jobs were written": rung by whoever commits an enqueue, so work starts within milliseconds
 * instead of at the next poll. The Node runner's idle loops wait on it; a Worker invocation
 * compares `rings` before and after its work to know whether it must send queue messages. The
 * composition root builds one and hands it to both sides, so nothing is wired after construction.
 */
export class Doorbell {
  private waiters = new Set<() => void>();
  private count = 0;

  /** How many times it has rung. */
  get rings(): number {
    return this.count;
  }

  ring(): void {
    this.count++;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next ring, or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve();
      }, ms);
      this.waiters.add(wake);
    });
  }
}
