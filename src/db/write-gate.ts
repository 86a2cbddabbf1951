/**
 * A short pause of the serving connection's grouped writes, asked for by the WAL checkpointer
 * (`wal-checkpointer.ts`) so that the WAL can start over without a commit on the event loop
 * copying it into the file.
 *
 * SQLite starts the WAL over only at the beginning of a write transaction that finds every frame
 * already copied. Under steady writes the worker's copy never catches up by itself (each pass ends
 * with commits made during it); a commit would have to do the last copy and its fsyncs itself,
 * holding the event loop for them. Instead, once the WAL has grown past its bound, the worker
 * holds the grouped writes: callers keep arriving and join the waiting group, their promises
 * unsettled (so a webhook's 2xx waits, the event loop does not), until the worker has copied the
 * rest; the group's transaction then starts the WAL over. A hold lasts `MAX_WRITE_HOLD_MS` at
 * most, so a worker that cannot catch up (a reader in another process keeps old frames in use)
 * delays writes by that much, never more.
 */

export type WriteGate = {
  /** Null when writes may go ahead now; otherwise settles when they may. */
  whenOpen(): Promise<void> | null;
};

/** The gate of a connection without a checkpointer: never held. */
export const OPEN_GATE: WriteGate = { whenOpen: () => null };

/** Runs `write` now if the gate is open, or once it opens. */
export function runWhenOpen(gate: WriteGate, write: () => void): void {
  const held = gate.whenOpen();
  if (held) void held.then(write);
  else write();
}

/** How long a hold may keep writes waiting, at most. */
export const MAX_WRITE_HOLD_MS = 50;

export class HeldWrites implements WriteGate {
  private waiting: Promise<void> | null = null;
  private open: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  whenOpen(): Promise<void> | null {
    return this.waiting;
  }

  /** Writes wait from now until `release`, or for `MAX_WRITE_HOLD_MS` at most. */
  hold(): void {
    if (this.closed || this.waiting) return;
    this.waiting = new Promise((resolve) => {
      this.open = resolve;
    });
    this.timer = setTimeout(() => this.release(), MAX_WRITE_HOLD_MS);
    // A hold alone never keeps the process alive.
    this.timer.unref?.();
  }

  release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const open = this.open;
    this.waiting = null;
    this.open = null;
    open?.();
  }

  /** Released for good: the checkpointer stopped or failed. */
  close(): void {
    this.closed = true;
    this.release();
  }
}
