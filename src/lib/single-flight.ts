/**
 * One computation shared by every caller that asks while it runs: a caller arriving meanwhile
 * gets the same promise instead of starting its own, and the next caller after it settles starts
 * afresh. Concurrent scrapes of `/metrics` cost one read of the database, not one each.
 */
export function singleFlight<T>(compute: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= compute().finally(() => {
      running = null;
    });
    return running;
  };
}
