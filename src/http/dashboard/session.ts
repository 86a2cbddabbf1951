/**
 * The dashboard's side of a session: the cookie and who a request is. The cookie holds only the
 * session's random id (the table holds its hash, `src/resources/sessions.ts`). It is
 * `HttpOnly`, `SameSite=Strict`, `Path=/`, and on HTTPS (`isHttps`) `Secure` with the `__Host-`
 * prefix, which pins it to this host. Browsers refuse a `__Host-` cookie without `Secure`, so on
 * plain HTTP (local development) the name is `mux_ingest_session`; each request reads only the
 * name its own scheme sets, so a cookie planted over HTTP is never read on HTTPS.
 *
 * A scripted caller may send `Authorization: Bearer $ADMIN_TOKEN` instead: then the bearer alone
 * decides (a browser never attaches it on its own, so it needs no CSRF value).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secretsEqual, sha256Hex } from "../../lib/constant-time";
import { checkSession, SESSION_ABSOLUTE_MS } from "../../resources/sessions";
import { bearerToken, tokenFingerprint } from "../admin/auth";
import type { HttpEnv } from "../context";
import { isHttps } from "../request-facts";

export const SESSION_COOKIE = "mux_ingest_session";
/** The name a browser holds the cookie under on HTTPS. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export type DashboardAccess = { via: "bearer" } | { via: "session"; sessionId: string; csrf: string };

/** The session id the request's cookie carries, under the name its scheme uses. */
export function sessionIdOf(c: Context<HttpEnv>): string | undefined {
  return isHttps(c) ? getCookie(c, SESSION_COOKIE, "host") : getCookie(c, SESSION_COOKIE);
}

export function setSessionCookie(c: Context<HttpEnv>, sessionId: string): void {
  const options = {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  } as const;
  if (isHttps(c)) setCookie(c, SESSION_COOKIE, sessionId, { ...options, secure: true, prefix: "host" });
  else setCookie(c, SESSION_COOKIE, sessionId, options);
}

export function clearSessionCookie(c: Context<HttpEnv>): void {
  if (isHttps(c)) deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, prefix: "host" });
  else deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict" });
}

/**
 * The value every dashboard form echoes: derived from the session id, so it is unguessable
 * without the cookie, differs per session and ends with it; the id cannot be recovered from it.
 */
export function csrfFor(sessionId: string): Promise<string> {
  return sha256Hex(`mux-ingest dashboard csrf v2\n${sessionId}`);
}

/**
 * The query parameter the dashboard's own meta refresh adds: such a request is not a person's
 * activity and does not extend the session's idle end.
 */
export const AUTO_REFRESH_PARAM = "auto";

/** Who the request is: a valid bearer, an open session for the current token, or nobody (null). */
export async function dashboardAccess(
  c: Context<HttpEnv>,
  adminToken: string,
): Promise<DashboardAccess | null> {
  const bearer = bearerToken(c);
  if (bearer !== null) return (await secretsEqual(bearer, adminToken)) ? { via: "bearer" } : null;
  const sessionId = sessionIdOf(c);
  if (!sessionId) return null;
  const session = await checkSession(c.var.deps, {
    id: sessionId,
    tokenFingerprint: await tokenFingerprint(adminToken),
    activity: c.req.query(AUTO_REFRESH_PARAM) === undefined,
  });
  return session ? { via: "session", sessionId, csrf: await csrfFor(sessionId) } : null;
}

/** The form's CSRF value matches the session's (a bearer caller needs none). */
export function csrfHolds(access: DashboardAccess, given: string): Promise<boolean> {
  return access.via === "bearer" ? Promise.resolve(true) : secretsEqual(given, access.csrf);
}
