/**
 * Who may use `/v1` and the dashboard: whoever holds `ADMIN_TOKEN`. Without one configured the
 * admin surface is disabled (503), never open. Tokens are compared in constant time (both sides
 * are hashed first, so neither content nor length leaks through timing). The dashboard keeps a
 * session cookie that is an HMAC of the token, not the token itself: it cannot be replayed as a
 * bearer token, and rotating `ADMIN_TOKEN` ends every session.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { secretsEqual } from "../../lib/constant-time";
import { AppError } from "../../lib/errors";
import type { HttpEnv } from "../context";
import { errorBody } from "../errors";

const encoder = new TextEncoder();

export const DISABLED_MESSAGE =
  "The admin API is disabled: set ADMIN_TOKEN (at least 16 characters) to enable /v1 and the dashboard";

export const SESSION_COOKIE = "mux_ingest_session";

async function hmacHex(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The dashboard session value for a token. */
export function sessionValue(adminToken: string): Promise<string> {
  return hmacHex(adminToken, "mux-ingest dashboard session v1");
}

/** A per-token value forms must echo back: a cross-site form cannot know it. */
export function csrfValue(adminToken: string): Promise<string> {
  return hmacHex(adminToken, "mux-ingest dashboard csrf v1");
}

export function bearerToken(c: Context<HttpEnv>): string | null {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() ?? null;
}

/** Bearer token or dashboard session: true when the request carries a valid one. */
export async function isAuthorised(c: Context<HttpEnv>, adminToken: string): Promise<boolean> {
  const bearer = bearerToken(c);
  if (bearer !== null) return secretsEqual(bearer, adminToken);
  const session = getCookie(c, SESSION_COOKIE);
  if (session) return secretsEqual(session, await sessionValue(adminToken));
  return false;
}

/** Guards `/v1/*`: 503 when disabled, 401 without a valid bearer token. */
export function requireAdminToken(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const { adminToken } = c.var.http;
    if (!adminToken) throw new AppError("DISABLED", DISABLED_MESSAGE);
    const bearer = bearerToken(c);
    if (bearer === null || !(await secretsEqual(bearer, adminToken))) {
      c.header("WWW-Authenticate", 'Bearer realm="mux-ingest"');
      const message =
        bearer === null
          ? "Missing credentials: send Authorization: Bearer $ADMIN_TOKEN"
          : "The bearer token does not match ADMIN_TOKEN";
      return c.json(errorBody("UNAUTHORIZED", message), 401);
    }
    await next();
  };
}
