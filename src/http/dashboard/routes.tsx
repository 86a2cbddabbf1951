/**
 * `GET /` and the dashboard's three form posts. Protected like the API: a token form sets a
 * session cookie (an HMAC of ADMIN_TOKEN, HttpOnly, SameSite=Strict); a bearer header works too.
 * The retry form also carries a CSRF value bound to the token. Every action redirects back to
 * `/` (post/redirect/get), so a refresh never repeats it.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { secretsEqual } from "../../lib/constant-time";
import { describeError } from "../../lib/errors";
import { repinConnection } from "../../resources/connections";
import { retryObject } from "../../resources/object-retry";
import { readOverview } from "../../resources/overview";
import { confirmDeletions, resumeSync } from "../../resources/sync-control";
import { csrfValue, DISABLED_MESSAGE, isAuthorised, SESSION_COOKIE, sessionValue } from "../admin/auth";
import type { HttpEnv } from "../context";
import { DashboardPage, LoginPage } from "./page";

const SESSION_MAX_AGE_S = 12 * 3600;

type Form = { get(name: string): string };

function syncRefOf(form: Form) {
  return { bucketId: form.get("bucket_id"), syncId: form.get("sync_id") };
}

/**
 * A dashboard form post: signed in, with the CSRF value, then the action; the answer is a
 * redirect back to `/` with a notice (post/redirect/get, so a refresh never repeats it).
 */
async function formAction(c: Context<HttpEnv>, what: string, act: (form: Form) => Promise<string>) {
  const token = c.var.http.adminToken;
  if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
  const body = await c.req.parseBody();
  const form: Form = { get: (name) => (typeof body[name] === "string" ? body[name] : "") };
  if (!(await isAuthorised(c, token)) || !(await secretsEqual(form.get("csrf"), await csrfValue(token)))) {
    return c.html(<LoginPage error={`Sign in again for the ${what}.`} />, 401);
  }
  try {
    return c.redirect(`/?notice=${encodeURIComponent(await act(form))}`, 303);
  } catch (err) {
    return c.redirect(`/?error=${encodeURIComponent(`The ${what} was refused: ${describeError(err)}`)}`, 303);
  }
}

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

  routes.post("/dashboard/retry", (c) =>
    formAction(c, "retry", async (form) => {
      const assetId = form.get("asset_id");
      await retryObject(c.var.deps, { bucketId: form.get("bucket_id"), assetId });
      return `Retry queued for asset ${assetId}`;
    }),
  );

  routes.post("/dashboard/repin", (c) =>
    formAction(c, "re-pin", async (form) => {
      const connection = await repinConnection(c.var.deps, { id: form.get("connection_id") });
      return `Connection ${connection.id} is pinned to environment ${connection.environment?.id ?? "?"}; its syncs run again`;
    }),
  );

  routes.post("/dashboard/confirm-deletions", (c) =>
    formAction(c, "confirmation", async (form) => {
      const sync = await confirmDeletions(c.var.deps, syncRefOf(form));
      return `${sync.confirmed} held deletion(s) of sync ${sync.id} confirmed`;
    }),
  );

  routes.post("/dashboard/resume", (c) =>
    formAction(c, "resume", async (form) => {
      const sync = await resumeSync(c.var.deps, syncRefOf(form));
      return `Sync ${sync.id} resumed; held deletions were released`;
    }),
  );

  return routes;
}
