/**
 * `GET /` and the dashboard's form posts. Signing in opens a server-side session
 * (`session.ts`); a bearer header works too, for scripts. Every post under `/dashboard/` first
 * passes Hono's `csrf` (the browser's `Origin` or `Sec-Fetch-Site` must say this origin), then
 * the session check, and only then is the form read; a signed-in form must carry the session's
 * CSRF value. Every action redirects back to `/` with a notice code (post/redirect/get, so a
 * refresh never repeats it).
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secretsEqual } from "../../lib/constant-time";
import { describeError } from "../../lib/errors";
import { repinConnection } from "../../resources/connections";
import { retryObject } from "../../resources/object-retry";
import { readOverview } from "../../resources/overview";
import { admitSignIn, closeSession, openSession } from "../../resources/sessions";
import { confirmDeletions, resumeSync } from "../../resources/sync-control";
import { bearerToken, DISABLED_MESSAGE, tokenFingerprint } from "../admin/auth";
import type { HttpEnv } from "../context";
import { clientOf, requestOrigin } from "../request-facts";
import { CONSOLE_PATHS, syncPath } from "./console-layout";
import { type ActionCode, type NoticeCode, noticeOf, refusalQuery } from "./notices";
import { DashboardPage, LoginPage, REFRESH_ON_PARAM } from "./page";
import {
  AUTO_REFRESH_PARAM,
  clearSessionCookie,
  csrfHolds,
  dashboardAccess,
  sessionIdOf,
  setSessionCookie,
} from "./session";

export type Form = { get(name: string): string };

function syncRefOf(form: Form) {
  return { bucketId: form.get("bucket_id"), syncId: form.get("sync_id") };
}

/** An id as this service makes them (`syn_…`, `bkt_…`, `con_…`, or a configured one). */
const FORM_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The page a suspension action came from (`back`), from the form's ids once checked; else `/`. */
export function actionPageOf(form: Form): string {
  const back = form.get("back");
  const { bucketId, syncId } = syncRefOf(form);
  if (back === "sync" && FORM_ID.test(bucketId) && FORM_ID.test(syncId)) return syncPath(bucketId, syncId);
  if (back === "connections") return CONSOLE_PATHS.connections;
  return "/";
}

async function readForm(c: Context<HttpEnv>): Promise<Form> {
  const body = await c.req.parseBody();
  return { get: (name) => (typeof body[name] === "string" ? body[name] : "") };
}

/**
 * A dashboard form post: signed in (checked before the body is read), the session's CSRF value,
 * then the action; the answer is a redirect back to `/` (or to the page `back` names, a path the
 * caller builds from the form's checked ids, never one the form spells) with a notice code.
 */
export async function formAction(
  c: Context<HttpEnv>,
  action: ActionCode,
  act: (form: Form) => Promise<NoticeCode>,
  back: (form: Form) => string = () => "/",
) {
  const token = c.var.http.adminToken;
  if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
  const access = await dashboardAccess(c, token);
  if (!access) return c.html(<LoginPage error="signed_out" />, 401);
  const form = await readForm(c);
  if (!(await csrfHolds(access, form.get("csrf")))) return c.html(<LoginPage error="forged" />, 403);
  const page = back(form);
  const join = page.includes("?") ? "&" : "?";
  try {
    return c.redirect(`${page}${join}notice=${await act(form)}`, 303);
  } catch (err) {
    c.var.logger.warn("Dashboard action refused", { action, error: describeError(err) });
    return c.redirect(`${page}${join}${refusalQuery(action, err)}`, 303);
  }
}

/**
 * Hono's `csrf` on every post under `/dashboard/`, against the origin the browser sees (HTTPS
 * behind a trusted proxy included). A bearer caller is not a browser riding a cookie: it skips it.
 */
function sameOriginForms(): MiddlewareHandler<HttpEnv> {
  const check = csrf({ origin: (origin, c) => origin === requestOrigin(c) });
  return async (c, next) => {
    if (bearerToken(c) !== null) return next();
    try {
      await check(c, next);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403)
        return c.html(<LoginPage error="forged" />, 403);
      throw err;
    }
  };
}

export function createDashboardRoutes() {
  const routes = new Hono<HttpEnv>();
  routes.use("/dashboard/*", sameOriginForms());

  routes.get("/", async (c) => {
    const token = c.var.http.adminToken;
    c.header("cache-control", "no-store");
    if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
    const notice = noticeOf((name) => c.req.query(name));
    const access = await dashboardAccess(c, token);
    if (!access) return c.html(<LoginPage notice={notice} />, 401);
    const overview = await readOverview(c.var.deps);
    return c.html(
      <DashboardPage
        overview={overview}
        csrf={access.via === "session" ? access.csrf : ""}
        notice={notice}
        refreshing={c.req.query(REFRESH_ON_PARAM) === "on" || c.req.query(AUTO_REFRESH_PARAM) === "1"}
      />,
    );
  });

  routes.post("/dashboard/login", async (c) => {
    const token = c.var.http.adminToken;
    if (!token) return c.html(<LoginPage disabled={DISABLED_MESSAGE} />, 503);
    const client = clientOf(c);
    const admission = await admitSignIn(c.var.deps, { client });
    if (!admission.admitted) {
      c.var.logger.warn("Dashboard sign-in rate-limited", { client });
      c.header("retry-after", String(admission.retryAfterSeconds));
      return c.html(<LoginPage error="rate_limited" />, 429);
    }
    const form = await readForm(c);
    if (!(await secretsEqual(form.get("token").trim(), token))) {
      c.var.logger.warn("Dashboard sign-in refused", { client });
      return c.html(<LoginPage error="wrong_token" />, 401);
    }
    // A fresh id on every sign-in: a session id planted before it is never promoted.
    const previous = sessionIdOf(c);
    if (previous) await closeSession(c.var.deps, { id: previous });
    const session = await openSession(c.var.deps, {
      client,
      tokenFingerprint: await tokenFingerprint(token),
    });
    setSessionCookie(c, session.id);
    return c.redirect("/", 303);
  });

  routes.post("/dashboard/logout", async (c) => {
    const token = c.var.http.adminToken;
    const access = token ? await dashboardAccess(c, token) : null;
    if (access?.via === "session") {
      const form = await readForm(c);
      if (!(await csrfHolds(access, form.get("csrf")))) return c.html(<LoginPage error="forged" />, 403);
      await closeSession(c.var.deps, { id: access.sessionId });
    }
    clearSessionCookie(c);
    return c.redirect("/?notice=signed_out", 303);
  });

  routes.post("/dashboard/retry", (c) =>
    formAction(c, "retry", async (form) => {
      await retryObject(c.var.deps, { bucketId: form.get("bucket_id"), assetId: form.get("asset_id") });
      return "retry_queued";
    }),
  );

  routes.post("/dashboard/repin", (c) =>
    formAction(
      c,
      "repin",
      async (form) => {
        await repinConnection(c.var.deps, { id: form.get("connection_id") });
        return "repinned";
      },
      actionPageOf,
    ),
  );

  routes.post("/dashboard/confirm-deletions", (c) =>
    formAction(
      c,
      "confirm",
      async (form) => {
        await confirmDeletions(c.var.deps, syncRefOf(form));
        return "deletions_confirmed";
      },
      actionPageOf,
    ),
  );

  routes.post("/dashboard/resume", (c) =>
    formAction(
      c,
      "resume",
      async (form) => {
        await resumeSync(c.var.deps, syncRefOf(form));
        return "resumed";
      },
      actionPageOf,
    ),
  );

  return routes;
}
