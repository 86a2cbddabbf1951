/**
 * Every state-changing dashboard route (enumerated from the app, so a route added later is
 * covered without editing this file) refuses a cross-site request (Hono's csrf: Origin and
 * Sec-Fetch-Site) and, signed in, a form without the session's CSRF value; a bearer caller is a
 * script and needs neither. Notices are codes: whatever the query string holds, the page says
 * only fixed texts.
 */
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { ACTIONS, NOTICES, REFUSALS } from "../../src/http/dashboard/notices";
import { csrfOf, FORM, ORIGIN, postForm, signIn } from "../helpers/dashboard-client";
import { createHarness, type Harness } from "../helpers/harness";
import { network } from "../helpers/no-network";

const TOKEN = "forms-admin-token-0123456789ab";
const FIELDS = "bucket_id=bkt_default&sync_id=syn_default&connection_id=con_default&asset_id=a1";

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  h = await createHarness({ env: { ADMIN_TOKEN: TOKEN, ...env } });
  // Re-pin asks Mux which environment the token reaches: here Mux refuses (the action is refused).
  network.use(http.get("https://api.mux.com/system/v1/whoami", () => HttpResponse.json({}, { status: 401 })));
  return h;
}

/** The dashboard's state-changing routes, from the app itself. */
function dashboardPosts(app: Harness["app"]): string[] {
  const paths = app.routes
    .filter((route) => route.method === "POST" && route.path.startsWith("/dashboard/"))
    .map((route) => route.path);
  return [...new Set(paths)];
}

const bodyFor = (path: string, csrf: string) =>
  path === "/dashboard/login" ? `token=${encodeURIComponent(TOKEN)}` : `${FIELDS}&csrf=${csrf}`;

describe("CSRF on every state-changing dashboard route", () => {
  it("enumerates them all (the list is not vacuous)", async () => {
    const { app } = await harness();
    expect(dashboardPosts(app).sort()).toEqual(
      expect.arrayContaining([
        "/dashboard/confirm-deletions",
        "/dashboard/connection-test",
        "/dashboard/dead-letters/purge",
        "/dashboard/dead-letters/replay",
        "/dashboard/dead-letters/replay-one",
        "/dashboard/login",
        "/dashboard/logout",
        "/dashboard/object-create-mp4",
        "/dashboard/object-redeliver",
        "/dashboard/object-retry",
        "/dashboard/repin",
        "/dashboard/resume",
        "/dashboard/retry",
      ]),
    );
  });

  it("refuses each cross-site, whatever the form carries, and the session survives it", async () => {
    const { app } = await harness();
    const { cookie } = await signIn(app, TOKEN);
    const csrf = await csrfOf(app, cookie);
    const crossSite: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: "http://localhost:8080" },
      { origin: "https://localhost" },
      { origin: "", "sec-fetch-site": "cross-site" },
      { origin: "", "sec-fetch-site": "same-site" },
      { origin: "" },
    ];
    for (const path of dashboardPosts(app)) {
      for (const headers of crossSite) {
        const sent = Object.fromEntries(Object.entries({ cookie, ...headers }).filter(([, v]) => v !== ""));
        const res = await app.request(path, {
          method: "POST",
          headers: { "content-type": FORM, ...sent },
          body: bodyFor(path, csrf),
        });
        expect(res.status, `${path} with ${JSON.stringify(headers)}`).toBe(403);
        expect(res.headers.get("set-cookie"), path).toBeNull();
        expect(res.headers.get("location"), path).toBeNull();
      }
    }
    expect((await app.request("/", { headers: { cookie } })).status).toBe(200);
  });

  it("refuses each signed-in form whose CSRF value is missing or not the session's, and the session survives it", async () => {
    const { app } = await harness();
    const { cookie } = await signIn(app, TOKEN);
    const other = await csrfOf(app, (await signIn(app, TOKEN)).cookie);
    const csrf = await csrfOf(app, cookie);
    const forged = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom("", other, csrf.toUpperCase(), csrf.slice(1), `${csrf}0`, TOKEN),
    );
    const posts = dashboardPosts(app).filter((path) => path !== "/dashboard/login");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...posts), forged, async (path, value) => {
        fc.pre(value !== csrf);
        const res = await postForm(app, path, `${FIELDS}&csrf=${encodeURIComponent(value)}`, { cookie });
        expect(res.status, path).toBe(403);
        expect(res.headers.get("location")).toBeNull();
      }),
      { numRuns: 120 },
    );
    for (const path of posts) {
      const missing = await postForm(app, path, FIELDS, { cookie });
      expect(missing.status, path).toBe(403);
      // A JSON body would skip Hono's form check: the body rules refuse it (415) before anything reads it.
      const json = await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, cookie },
        body: JSON.stringify({ csrf }),
      });
      expect(json.status, path).toBe(415);
    }
    expect((await app.request("/", { headers: { cookie } })).status).toBe(200);
  });

  it("lets the page's own forms through: same origin (or Sec-Fetch-Site: same-origin) with the session's value", async () => {
    const { app } = await harness();
    for (const path of dashboardPosts(app)) {
      const { cookie } = await signIn(app, TOKEN);
      const csrf = await csrfOf(app, cookie);
      const viaOrigin = await postForm(app, path, bodyFor(path, csrf), { cookie });
      expect(viaOrigin.status, path).toBe(303);
      const again = await signIn(app, TOKEN);
      const viaFetchSite = await app.request(path, {
        method: "POST",
        headers: { "content-type": FORM, "sec-fetch-site": "same-origin", cookie: again.cookie },
        body: bodyFor(path, await csrfOf(app, again.cookie)),
      });
      expect(viaFetchSite.status, path).toBe(303);
    }
  });

  it("behind a trusted TLS proxy, the page's origin is https://host", async () => {
    const { app } = await harness({ TRUST_PROXY: "true" });
    const proxied = { "x-forwarded-proto": "https" };
    expect((await postForm(app, "/dashboard/login", `token=${TOKEN}`, proxied)).status).toBe(403);
    const { cookie } = await signIn(app, TOKEN, { ...proxied, origin: "https://localhost" });
    expect(cookie).toMatch(/^__Host-mux_ingest_session=/);
  });

  it("lets a bearer caller (a script) post without Origin or CSRF value, and refuses a wrong bearer whatever the cookie", async () => {
    const { app } = await harness();
    const bearer = await app.request("/dashboard/resume", {
      method: "POST",
      headers: { "content-type": FORM, authorization: `Bearer ${TOKEN}` },
      body: FIELDS,
    });
    expect(bearer.status).toBe(303);
    const { cookie } = await signIn(app, TOKEN);
    const wrong = await postForm(app, "/dashboard/resume", `${FIELDS}&csrf=${await csrfOf(app, cookie)}`, {
      cookie,
      authorization: `Bearer wrong-${TOKEN}`,
    });
    expect(wrong.status).toBe(401);
  });

  it("reads no form before the session check: an unauthenticated post is refused with its body unread", async () => {
    const { app } = await harness();
    for (const path of dashboardPosts(app).filter(
      (p) => p !== "/dashboard/login" && p !== "/dashboard/logout",
    )) {
      // Declared within the form limit, so the body rules pass it on unread (a chunked body would be
      // buffered by them up to the 4 KiB limit): what is left to read is the route's choice.
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new TextEncoder().encode("a".repeat(1024)));
          if (pulled >= 4) controller.close();
        },
      });
      const res = await app.request(path, {
        method: "POST",
        headers: { "content-type": FORM, origin: ORIGIN, "content-length": "4096" },
        body,
        duplex: "half",
      } as RequestInit);
      expect(res.status, path).toBe(401);
      expect(pulled, path).toBeLessThanOrEqual(1);
    }
  });
});

describe("notices are message codes", () => {
  const allowed = new Set<string>([
    ...Object.values(NOTICES),
    ...Object.values(ACTIONS).flatMap((action) =>
      Object.values(REFUSALS).map(
        (why) => `The ${action} was refused: ${why}. The service log has the details.`,
      ),
    ),
  ]);
  const NOTICE = /<p class="notice (?:good|bad)" data-testid="notice">([^<]*)<\/p>/;
  const codes = [...Object.keys(NOTICES), ...Object.keys(ACTIONS), ...Object.keys(REFUSALS)];
  const value = fc.oneof(
    fc.constantFrom(...codes),
    fc.string({ maxLength: 40 }),
    fc.constantFrom("<script>alert(1)</script>", "Call +1 555 0100 to restore access", "retry_queued "),
  );
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom("notice", "error", "code"), fc.string()), value), {
    maxLength: 4,
  });

  it("shows, for any query string, the page unchanged but for at most one fixed text (signed in and not)", async () => {
    const { app } = await harness();
    const { cookie } = await signIn(app, TOKEN);
    const withoutNotice = (html: string) => html.replace(NOTICE, "");
    const baseline = { in: await (await app.request("/", { headers: { cookie } })).text(), out: "" };
    baseline.out = await (await app.request("/")).text();
    await fc.assert(
      fc.asyncProperty(query, fc.boolean(), async (pairs, signedIn) => {
        const search = new URLSearchParams(pairs).toString();
        const res = await app.request(`/?${search}`, { headers: signedIn ? { cookie } : {} });
        const html = await res.text();
        const notice = NOTICE.exec(html)?.[1];
        if (notice !== undefined) expect(allowed.has(notice.replaceAll("&#39;", "'")), notice).toBe(true);
        expect(withoutNotice(html)).toBe(withoutNotice(signedIn ? baseline.in : baseline.out));
      }),
      { numRuns: 200 },
    );
  });

  it("names a refused action by its code, and the log keeps the details", async () => {
    const { app, logs } = await harness();
    const { cookie } = await signIn(app, TOKEN);
    const res = await postForm(app, "/dashboard/retry", `${FIELDS}&csrf=${await csrfOf(app, cookie)}`, {
      cookie,
    });
    expect(res.headers.get("location")).toBe("/?error=retry&code=NOT_FOUND");
    const page = await (await app.request(res.headers.get("location") ?? "", { headers: { cookie } })).text();
    expect(page).toContain("The retry was refused: what it names no longer exists.");
    expect(logs.some((line) => line.includes("Dashboard action refused") && line.includes("a1"))).toBe(true);
  });
});
