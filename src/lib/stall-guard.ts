/**
 * A download may take as long as it needs, but it must keep moving. `StallGuard` aborts a fetch
 * (waiting for the answer, or reading its body) once nothing has arrived for `timeoutMs`: a host
 * that stops sending without closing the connection would otherwise hold the job, and its
 * worker, forever (heartbeats keep its lease alive, so no other worker takes it over either).
 */
import { AppError } from "./errors";

export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export class StallGuard {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {
    this.arm();
  }

  /** Pass to `fetch`: aborted when the transfer stalls. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The body, passed through: each chunk counts as progress; a stall errors the stream. */
  watch(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    // On a stall, cancelling the reader ends the pending read (done: true); the pull below then
    // turns that into the stall's error. No Promise.race against a long-lived "stalled" promise:
    // every race would leave a reaction on it that keeps its chunk alive, so a 1 GB download
    // kept 1 GB in memory (regression: found by the download benchmark's RSS).
    this.signal.addEventListener(
      "abort",
      () => void reader.cancel(this.signal.reason).catch(() => undefined),
      {
        once: true,
      },
    );
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const { done, value } = await reader.read();
        if (this.signal.aborted) {
          controller.error(this.signal.reason);
          return;
        }
        if (done) {
          this.stop();
          controller.close();
          return;
        }
        this.arm();
        controller.enqueue(value);
      },
      cancel: (reason) => {
        this.stop();
        return reader.cancel(reason);
      },
    });
  }

  /** Progress was made (the answer's headers arrived): the clock starts again. */
  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.controller.abort(
        new AppError("UPSTREAM", `The stream host sent nothing for ${this.timeoutMs} ms`, {
          retryable: true,
        }),
      );
    }, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
