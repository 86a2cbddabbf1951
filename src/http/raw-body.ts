/**
 * Reads a request body as text. Its size is bounded before this runs (`body-limits.ts` refuses a
 * declared or streamed body over the route's limit), so reading it whole is safe. Invalid UTF-8
 * is refused rather than silently replaced, since the signature covers the exact bytes.
 */
import { AppError } from "../lib/errors";

/** Shared: a decode without `stream` keeps nothing from one call to the next. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export async function readRawBody(request: Request): Promise<string> {
  // `arrayBuffer()` without touching `request.body`: on @hono/node-server, `body` builds a web
  // stream (and a full undici Request), which dominated the webhook route's profile.
  const bytes = await request.arrayBuffer();
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not valid UTF-8");
  }
}
