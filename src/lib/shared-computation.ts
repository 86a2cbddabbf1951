/**
 * One computation shared by every caller that asks while it runs or within `windowMs` after it
 * settled: the callers get the same promise or the same value instead of starting their own, and
 * the first caller after the window starts afresh. A computation that failed is not kept.
 *
 * The window is what makes simultaneous callers share on Node: a computation that reads SQLite
 * synchronously settles within the turn that started it, before the next request is even parsed,
 * so two scrapes of `/metrics` that arrive together would otherwise never overlap. The window is
 * measured on the clock's monotonic time where it has one.
 */
import type { Clock } from "./clock";

export function sharedComputation<T>(
  compute: () => Promise<T>,
  options: { windowMs: number; clock: Clock },
): () => Promise<T> {
  const elapsed = () => options.clock.monotonic?.() ?? options.clock.now();
  let running: Promise<T> | null = null;
  let settled: { value: T; at: number } | null = null;
  return () => {
    if (settled && elapsed() - settled.at < options.windowMs) return Promise.resolve(settled.value);
    running ??= compute()
      .then((value) => {
        settled = { value, at: elapsed() };
        return value;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
}
