/**
 * What each route group may send as a body: its size and its media type, refused (413, 415)
 * before any route, authentication or parsing middleware runs, so an anonymous client can never
 * make the process hold more than a group's limit of one request. Registered first by
 * `createApp`; every route that reads a body lives under one of these groups
 * (`test/integration/hostile-surface.test.ts` enumerates the app's routes and checks it).
 *
 * A declared Content-Length is judged from the header alone: Node's HTTP parser and workerd
 * deliver exactly that many bytes, so the header bounds what can be read. A body without one
 * (chunked) is counted as it streams by Hono's `bodyLimit`, which stops at the limit.
 */
import type { Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../lib/errors";
import type { HttpEnv, HttpSettings } from "./context";

const KIB = 1024;

/** Mux's events are a few KiB; the largest asset envelopes (many tracks and renditions) stay far below. */
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * KIB;
/** The largest admin request (a sync with its filters) is a few KiB. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * KIB;
/** The dashboard's forms carry a token or a few ids and the CSRF value. */
export const DASHBOARD_FORM_BODY_LIMIT_BYTES = 4 * KIB;

export type BodyRule = {
  /** A Hono path pattern. */
  path: string;
  maxBytes: number;
  /** Media types (without parameters) a body may have; a request without a body needs none. */
  mediaTypes: readonly string[];
};

export function bodyRules(http: Pick<HttpSettings, "webhookBodyLimitBytes">): BodyRule[] {
  return [
    { path: "/webhooks/*", maxBytes: http.webhookBodyLimitBytes, mediaTypes: ["application/json"] },
    { path: "/v1/*", maxBytes: ADMIN_BODY_LIMIT_BYTES, mediaTypes: ["application/json"] },
    {
      path: "/dashboard/*",
      maxBytes: DASHBOARD_FORM_BODY_LIMIT_BYTES,
      mediaTypes: ["application/x-www-form-urlencoded"],
    },
  ];
}

/** Registers each rule's guards on `app`; call before any other route or middleware of those paths. */
export function guardBodies(app: Hono<HttpEnv>, rules: readonly BodyRule[]): void {
  for (const rule of rules) app.use(rule.path, guardBody(rule));
}

/**
 * One middleware per rule, reading the framing headers once: the media type first (415), then
 * the size (413). A body is judged before `c.req.raw.body` is touched: on @hono/node-server that
 * getter builds a second, full Request, a cost the webhook route would pay on every event.
 */
function guardBody(rule: BodyRule): MiddlewareHandler<HttpEnv> {
  const tooLarge = (): never => {
    throw new AppError("PAYLOAD_TOO_LARGE", `The body is larger than ${rule.maxBytes} bytes`);
  };
  const counted = bodyLimit({ maxSize: rule.maxBytes, onError: tooLarge });
  return (c, next) => {
    const declared = declaredLength(c.req.raw.headers);
    if (declared === null ? c.req.raw.body !== null : declared > 0)
      checkMediaType(c.req.header("content-type"), rule.mediaTypes);
    if (declared !== null) return declared > rule.maxBytes ? tooLarge() : next();
    return counted(c, next);
  };
}

function checkMediaType(header: string | undefined, allowed: readonly string[]): void {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!allowed.includes(type)) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      `The body must be ${allowed.join(" or ")}${type ? `, not ${type.slice(0, 100)}` : ""}`,
    );
  }
}

/** The Content-Length, when it is the only framing of the body (no Transfer-Encoding). */
function declaredLength(headers: Headers): number | null {
  if (headers.has("transfer-encoding")) return null;
  const value = headers.get("content-length");
  return value !== null && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : null;
}
