/**
 * A response body that never ends, generated on demand: it counts what was pulled from it and
 * whether it was cancelled, so a test can prove a reader stopped early without the body ever
 * existing in memory. `highWaterMark: 0`: nothing is produced until someone reads.
 */
export type EndlessBody = {
  stream: ReadableStream<Uint8Array<ArrayBuffer>>;
  readonly pulledBytes: number;
  readonly pulls: number;
  readonly cancelled: boolean;
};

export function endlessBody(
  chunkBytes: number,
  options: { fill?: number; limitBytes?: number; onPull?: () => void } = {},
): EndlessBody {
  const chunk = new Uint8Array(chunkBytes).fill(options.fill ?? 0x61);
  const state = { pulledBytes: 0, pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      pull(controller) {
        if (options.limitBytes !== undefined && state.pulledBytes >= options.limitBytes) {
          controller.close();
          return;
        }
        state.pulls++;
        options.onPull?.();
        state.pulledBytes += chunk.byteLength;
        // A fresh copy each time: a reader that keeps chunks keeps real memory, as with a socket.
        controller.enqueue(chunk.slice());
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    get pulledBytes() {
      return state.pulledBytes;
    },
    get pulls() {
      return state.pulls;
    },
    get cancelled() {
      return state.cancelled;
    },
  };
}
