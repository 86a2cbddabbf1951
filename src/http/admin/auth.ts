/**
 * Who may use `/v1` and the dashboard: whoever holds `ADMIN_TOKEN`. Without one configured the
 * admin surface is disabled (503), never open. Tokens are compared in constant time (both sides
 * are hashed first, so neither content nor length leaks through timing). The dashboard's
 * sessions (`src/http/dashboard/session.ts`) remember only `tokenFingerprint`, so rotating
 * `ADMIN_TOKEN` ends every one of them.
 */
import type { Context, MiddlewareHandler } from "hono";
import { secretsEqual } from "../../lib/constant-time";
import { AppError } from "../../lib/errors";
import type { HttpEnv } from "../context";
import { errorBody } from "../errors";

const encoder = new TextEncoder();

export const DISABLED_MESSAGE =
  "The admin API is disabled: set ADMIN_TOKEN (at least 16 characters) to enable /v1 and the dashboard";

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

/**
 * What a dashboard session remembers of the token it was opened with: an HMAC of a fixed label
 * under the token. It tells whether the token changed, and is useless as a token itself.
 */
export function tokenFingerprint(adminToken: string): Promise<string> {
  return hmacHex(adminToken, "mux-ingest dashboard session token fingerprint v2");
}

export function bearerToken(c: Context<HttpEnv>): string | null {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() ?? null;
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
