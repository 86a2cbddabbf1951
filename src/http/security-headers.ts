/**
 * The headers every answer carries: a CSP that allows nothing inline and no framing (the pages'
 * styles are served from `/assets/`, and no page has a script), `nosniff`, no referrer. Harmless
 * on the JSON API, so they are set app-wide, on error answers too.
 *
 * They are exactly what Hono's `secureHeaders` sets for `SECURE_HEADERS_OPTIONS`
 * (`test/unit/security-headers.test.ts` holds the two equal), set here without it: an answer made
 * by `securedJson` carries them from the start, as a plain record, and is not given them again.
 * On Node such an answer never builds a `Headers` object (@hono/node-server writes the record as
 * is), which the webhook route, answered thousands of times a second, would otherwise pay for
 * with about fifteen header validations and a sort on every answer.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { HttpEnv } from "./context";

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** What Hono's `secureHeaders` is given; the test compares its answer with `SECURITY_HEADERS`. */
export const SECURE_HEADERS_OPTIONS = {
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  xContentTypeOptions: true,
  // Browsers ignore it over plain HTTP; no includeSubDomains, the host may share its domain.
  strictTransportSecurity: "max-age=15552000",
} as const;

/** `defaultSrc: ["'self'"]` → `default-src 'self'`, directives joined by `; `, as Hono writes them. */
function policyText(policy: Record<string, readonly string[]>): string {
  return Object.entries(policy)
    .map(([directive, values]) =>
      [directive.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), ...values].join(" "),
    )
    .join("; ");
}

/** Every security header and its value (names lowercase, as a `Headers` object reports them). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": policyText(CONTENT_SECURITY_POLICY),
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": SECURE_HEADERS_OPTIONS.referrerPolicy,
  "strict-transport-security": SECURE_HEADERS_OPTIONS.strictTransportSecurity,
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": SECURE_HEADERS_OPTIONS.xFrameOptions,
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};

/** Marks an answer made by `securedJson`: it carries the headers already. */
const SECURED = Symbol("carries the security headers");
type SecuredResponse = Response & { [SECURED]?: true };

/** Sets the security headers on every answer (overwriting, as Hono's does), once it is made. */
export function securityHeaders(): MiddlewareHandler<HttpEnv> {
  const headers = Object.entries(SECURITY_HEADERS);
  return async (c, next) => {
    await next();
    const res: SecuredResponse = c.res;
    if (res[SECURED]) return;
    for (const [name, value] of headers) res.headers.set(name, value);
    res.headers.delete("x-powered-by");
  };
}

/**
 * A JSON answer carrying the security headers and the request id from the start. Only for a
 * route whose middleware sets no header but the request id: a handler's own `Response` does not
 * take the headers set through `c.header()` before it (the webhook tests compare this answer's
 * headers with those of the same route's error answers, which do).
 */
export function securedJson(c: Context<HttpEnv>, body: string, status: ContentfulStatusCode): Response {
  const res: SecuredResponse = new Response(body, {
    status,
    headers: { "content-type": "application/json", ...SECURITY_HEADERS, "x-request-id": c.get("requestId") },
  });
  res[SECURED] = true;
  return res;
}
