/**
 * What Mux answered to `POST /video/v1/assets/{ASSET_ID}/static-renditions`, as the domain needs
 * it. Mux documents the 201 and that asking again for a resolution already defined is refused
 * (mux-facts §9.2), not that refusal's exact status or wording: a 400, 409 or 422 whose message
 * says "already" (exists, defined) is read as that answer; any other 4xx about the request is a
 * refusal with Mux's message. A 403 is its own answer: the token cannot write (the ground truth,
 * whatever `whoami` lists). Rate limits, 5xx and network failures are not answers: the caller
 * retries them.
 */

export type StaticRenditionAnswer =
  /** Made for this request (`preparing` at first): the service's own. */
  | { kind: "created"; id: string; name: string | null; status: string | null }
  /** The resolution is already defined on the asset: someone else's (or an earlier attempt's). */
  | { kind: "exists"; message: string }
  /** 403: the token has no write permission. */
  | { kind: "forbidden"; message: string }
  /** Mux refused the request for another reason (legacy MP4 support on, asset errored or gone…). */
  | { kind: "rejected"; status: number; message: string };

/** The most of Mux's message kept (it is stored and shown to people). */
const MESSAGE_CHARS = 300;

const REFUSALS = new Set([400, 404, 409, 422]);

/** The answer an SDK error carries, or null when it is not one (429, 5xx, 401: retried or raised). */
export function answerOfCreateError(status: number | undefined, body: unknown): StaticRenditionAnswer | null {
  if (status === 403) return { kind: "forbidden", message: muxMessage(body) || "403 Forbidden" };
  if (status === undefined || !REFUSALS.has(status)) return null;
  const message = muxMessage(body) || `HTTP ${status}`;
  if (status !== 404 && /\balready\b/i.test(message)) return { kind: "exists", message };
  return { kind: "rejected", status, message };
}

/** `{"error":{"type","messages":[…]}}` (mux-facts §4.4) as one line of bounded, printable text. */
export function muxMessage(body: unknown): string {
  const error = (body as { error?: { messages?: unknown; type?: unknown } } | null)?.error;
  const messages = Array.isArray(error?.messages)
    ? error.messages.filter((m): m is string => typeof m === "string")
    : [];
  const text = messages.length > 0 ? messages.join("; ") : typeof error?.type === "string" ? error.type : "";
  return text
    .replace(/\p{Cc}+/gu, " ")
    .trim()
    .slice(0, MESSAGE_CHARS);
}
