/**
 * `GET /` and the dashboard's three form posts. Protected like the API: a token form sets a
 * session cookie (an HMAC of ADMIN_TOKEN, HttpOnly, SameSite=Strict); a bearer header works too.
 * The retry form also carries a CSRF value bound to the token. Every action redirects back to
 * `/` (post/redirect/get), so a refresh never repeats it.
 */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { secretsEqual } from "../../lib/constant-time";
import { describeError } from "../../lib/errors";
import { retryObject } from "../../resources/object-retry";
import { readOverview } from "../../resources/overview";
import { csrfValue, DISABLED_MESSAGE, isAuthorised, SESSION_COOKIE, sessionValue } from "../admin/auth";
import type { HttpEnv } from "../context";
import { DashboardPage, LoginPage } from "./page";

const SESSION_MAX_AGE_S = 12 * 3600;

export function createDashboardRoutes() {
  const routes = new Hono<HttpEnv>();

  routes.get("/", async (c) => {
    const token = c.var.http.adminToken;
    c.header("cache-control", "no-store");
    if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
    if (!(await isAuthorised(c, token))) return c.html(<LoginPage />, 401);
    const overview = await readOverview(c.var.deps);
    return c.html(
      <DashboardPage
        overview={overview}
        csrf={await csrfValue(token)}
        notice={c.req.query("notice") ?? null}
        error={c.req.query("error") ?? null}
      />,
    );
  });

  routes.post("/dashboard/login", async (c) => {
    const token = c.var.http.adminToken;
    if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
    const form = await c.req.parseBody();
    const given = typeof form.token === "string" ? form.token.trim() : "";
    if (!(await secretsEqual(given, token))) {
      c.var.logger.warn("Dashboard sign-in refused");
      return c.html(<LoginPage error="That is not the admin token." />, 401);
    }
    setCookie(c, SESSION_COOKIE, await sessionValue(token), {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      secure: new URL(c.req.url).protocol === "https:",
      maxAge: SESSION_MAX_AGE_S,
    });
    return c.redirect("/", 303);
  });

  routes.post("/dashboard/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  });

  routes.post("/dashboard/retry", async (c) => {
    const token = c.var.http.adminToken;
    if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
    const form = await c.req.parseBody();
    const csrf = typeof form.csrf === "string" ? form.csrf : "";
    if (!(await isAuthorised(c, token)) || !(await secretsEqual(csrf, await csrfValue(token)))) {
      return c.html(<LoginPage error="Sign in again to retry." />, 401);
    }
    const bucketId = String(form.bucket_id ?? "");
    const assetId = String(form.asset_id ?? "");
    try {
      await retryObject(c.var.deps, { bucketId, assetId });
      return c.redirect(`/?notice=${encodeURIComponent(`Retry queued for asset ${assetId}`)}`, 303);
    } catch (err) {
      return c.redirect(
        `/?error=${encodeURIComponent(`Retry of ${assetId} refused: ${describeError(err)}`)}`,
        303,
      );
    }
  });

  return routes;
}
