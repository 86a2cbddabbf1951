/**
 * Reading bodies that come from outside (the pipeline's answer, Mux's errors) without letting
 * their size decide our memory: at most `maxBytes` are ever pulled from the stream, then it is
 * cancelled, so the connection is dropped rather than drained. A body we do not need is cancelled
 * unread. Each read pulls at most one chunk past the cap.
 */
import { AppError } from "./errors";

/** A few KiB: enough for any error message worth keeping. */
export const ERROR_BODY_BYTES = 4 * 1024;

export type BoundedBytes = { bytes: Uint8Array<ArrayBuffer>; truncated: boolean };

/** At most `maxBytes` of the body; the stream is cancelled as soon as the cap is reached. */
export async function readBounded(response: Response, maxBytes: number): Promise<BoundedBytes> {
  const body = response.body;
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - kept;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        kept += room;
        truncated = true;
        break;
      }
      chunks.push(value);
      kept += value.byteLength;
      if (kept === maxBytes) {
        // Full: one more pull would only say whether it ended, at the price of another chunk.
        truncated = true;
        break;
      }
    }
  } finally {
    // Not awaited: a cancel settles when the source has let go, which some sources (a proxied or
    // intercepted body) never report; nothing here depends on it.
    if (truncated) void reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(kept);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

/** At most `maxBytes` of the body as text (a multi-byte character cut at the cap is dropped). */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  const { bytes } = await readBounded(response, maxBytes);
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/\uFFFD+$/, "");
}

/** Drops the body unread: the connection is released without downloading it. */
export async function discardBody(response: Response): Promise<void> {
  // Not awaited, for the reason `readBounded` gives.
  void response.body?.cancel().catch(() => undefined);
}

/**
 * The same response with a body that fails (an `UPSTREAM` error) once it carries more than
 * `maxBytes`: for a reader we do not control (the Mux SDK parsing JSON), whose memory use must
 * still be bounded. The source is cancelled when the limit is crossed.
 */
export function capResponse(response: Response, maxBytes: number, what: string): Response {
  if (!response.body) return response;
  let carried = 0;
  const meter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      carried += chunk.byteLength;
      if (carried > maxBytes) {
        throw new AppError("UPSTREAM", `${what} answered more than ${maxBytes} bytes; refusing to read on`, {
          retryable: true,
        });
      }
      controller.enqueue(chunk);
    },
  });
  return rebuild(response, response.body.pipeThrough(meter));
}

/** The same status and headers over a new body (the length header dropped: it no longer holds). */
export function rebuild(response: Response, body: BodyInit | null): Response {
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  const bodiless = response.status === 204 || response.status === 205 || response.status === 304;
  return new Response(bodiless ? null : body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
