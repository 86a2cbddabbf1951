/**
 * The headers every answer carries, from Hono's own `secureHeaders`: a CSP that allows nothing
 * inline and no framing (the pages' styles are served from `/assets/`, and no page has a
 * script), `nosniff`, no referrer. Harmless on the JSON API, so it is set app-wide.
 */
import { secureHeaders } from "hono/secure-headers";

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

export function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    xContentTypeOptions: true,
    // Browsers ignore it over plain HTTP; no includeSubDomains, the host may share its domain.
    strictTransportSecurity: "max-age=15552000",
  });
}
