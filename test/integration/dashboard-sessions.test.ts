/**
 * Dashboard sessions, as the class of inputs an attacker controls: whatever the cookie holds,
 * only an id the service issued, still open, for the current ADMIN_TOKEN, opens the dashboard.
 * Sessions expire (idle and absolute, on the manual clock), end on sign-out and on a token
 * change; the cookie's name and attributes follow the request's scheme (`TRUST_PROXY` decides
 * whether `X-Forwarded-Proto` counts).
 */
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  PURGE_BATCH,
  purgeExpired,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_TOUCH_INTERVAL_MS,
} from "../../src/resources/sessions";
import { csrfOf, postForm, signIn } from "../helpers/dashboard-client";
import { createHarness, type Harness } from "../helpers/harness";

const TOKEN = "sessions-admin-token-0123456789";
const OTHER_TOKEN = "sessions-other-token-9876543210";

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0).reverse()) h.close();
});

async function harness(env: Record<string, string | undefined> = {}, from?: Harness): Promise<Harness> {
  const h = await createHarness({ env: { ADMIN_TOKEN: TOKEN, ...env }, database: from?.database });
  // A restart over the same database closes it once, with the last harness.
  if (from) open.splice(open.indexOf(from), 1);
  open.push(h);
  return h;
}

const status = async (h: Harness, cookie: string, url = "/") =>
  (await h.app.request(url, { headers: { cookie } })).status;

type SessionRow = { id_hash: string; token_fingerprint: string; last_seen_at: number; expires_at: number };
const sessionRows = (h: Harness) =>
  h.database.sqlite.prepare("select * from admin_sessions").all() as SessionRow[];

/** Printable ASCII without the cookie header's separators: what a browser could be made to send. */
const cookieChar = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const cookieText = fc.string({ unit: cookieChar.filter((ch) => ch !== ";" && ch !== ","), maxLength: 80 });

describe("the session cookie", () => {
  it("over plain HTTP is a fresh random id under the plain name, HttpOnly, SameSite=Strict, stored only hashed", async () => {
    const h = await harness();
    const first = await signIn(h.app, TOKEN);
    const second = await signIn(h.app, TOKEN);
    const header = first.response.headers.get("set-cookie") ?? "";
    expect(header).toMatch(
      /^mux_ingest_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(header).not.toContain("Secure");
    expect(first.id).not.toBe(second.id);
    expect(first.id).not.toContain(TOKEN);
    const rows = sessionRows(h);
    expect(rows.map((r) => r.id_hash).sort()).toEqual(
      [first.id, second.id].map((id) => createHash("sha256").update(id).digest("hex")).sort(),
    );
    expect(JSON.stringify(rows)).not.toContain(first.id);
    expect(await status(h, first.cookie)).toBe(200);
  });

  it.each([
    ["an https request URL", {}, "https://localhost/dashboard/login", { origin: "https://localhost" }],
    [
      "X-Forwarded-Proto: https with TRUST_PROXY",
      { TRUST_PROXY: "true" },
      "/dashboard/login",
      { origin: "https://localhost", "x-forwarded-proto": "https" },
    ],
  ])("over HTTPS (%s) is __Host-, Secure, Path=/ and has no Domain", async (_name, env, path, headers) => {
    const h = await harness(env);
    const { response, cookie } = await signIn(h.app, TOKEN, headers, path);
    expect(response.headers.get("set-cookie")).toMatch(
      /^__Host-mux_ingest_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    const page = path.startsWith("https:") ? "https://localhost/" : "/";
    const secure = await h.app.request(page, { headers: { cookie, ...headers } });
    expect(secure.status).toBe(200);
    // The same id under the plain name is not read on HTTPS (a cookie planted over HTTP).
    const planted = cookie.replace("__Host-", "");
    expect((await h.app.request(page, { headers: { cookie: planted, ...headers } })).status).toBe(401);
    // Nor is the __Host- cookie read on a plain HTTP request.
    expect(await status(h, cookie)).toBe(401);
  });

  it("ignores X-Forwarded-Proto without TRUST_PROXY: the cookie stays plain and not Secure", async () => {
    const h = await harness();
    const { response } = await signIn(h.app, TOKEN, { "x-forwarded-proto": "https" });
    expect(response.headers.get("set-cookie")).toMatch(/^mux_ingest_session=/);
    expect(response.headers.get("set-cookie")).not.toContain("Secure");
  });
});

describe("what a cookie opens", () => {
  it("refuses every value the service did not issue for the current token: random, truncated, extended, old-format, hashed, the token", async () => {
    const h = await harness();
    const real = await signIn(h.app, TOKEN);
    const oldFormat = createHmac("sha256", TOKEN).update("mux-ingest dashboard session v1").digest("hex");
    const stored = createHash("sha256").update(real.id).digest("hex");
    const values = fc.oneof(
      cookieText,
      fc.integer({ min: 0, max: 42 }).map((n) => real.id.slice(0, n)),
      cookieText.filter((s) => s.length > 0).map((s) => real.id + s),
      fc
        .integer({ min: 0, max: 42 })
        .chain((i) =>
          cookieChar
            .filter((ch) => ch !== real.id[i] && ch !== ";" && ch !== ",")
            .map((ch) => real.id.slice(0, i) + ch + real.id.slice(i + 1)),
        ),
      fc.constantFrom(oldFormat, stored, TOKEN, encodeURIComponent(TOKEN), ""),
    );
    await fc.assert(
      fc.asyncProperty(values, async (value) => {
        fc.pre(value !== real.id);
        expect(await status(h, `mux_ingest_session=${value}`)).toBe(401);
      }),
      { numRuns: 150 },
    );
    expect(await status(h, real.cookie)).toBe(200);
  });

  it("ends every session when ADMIN_TOKEN changes (a restart over the same database), and the old ones stay ended", async () => {
    const first = await harness();
    const a = await signIn(first.app, TOKEN);
    const b = await signIn(first.app, TOKEN);
    const second = await harness({ ADMIN_TOKEN: OTHER_TOKEN }, first);
    expect(sessionRows(second)).toHaveLength(2);
    expect(await status(second, a.cookie)).toBe(401);
    expect(await status(second, b.cookie)).toBe(401);
    expect(sessionRows(second)).toHaveLength(0);
    const c = await signIn(second.app, OTHER_TOKEN);
    expect(await status(second, c.cookie)).toBe(200);
    // Back to the first token: neither its old sessions nor the other token's open anything.
    const third = await harness({}, second);
    for (const cookie of [a.cookie, b.cookie, c.cookie]) expect(await status(third, cookie)).toBe(401);
  });
});

describe("expiry, on the manual clock", () => {
  it("holds a session exactly while every gap is under the idle timeout and the absolute end is not reached", async () => {
    const h = await harness();
    const gap = fc.oneof(
      fc.integer({ min: 0, max: 2 * SESSION_TOUCH_INTERVAL_MS }),
      fc.integer({
        min: SESSION_IDLE_MS - 2 * SESSION_TOUCH_INTERVAL_MS,
        max: SESSION_IDLE_MS + SESSION_TOUCH_INTERVAL_MS,
      }),
      fc.integer({ min: 0, max: SESSION_ABSOLUTE_MS }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(gap, { minLength: 1, maxLength: 25 }), async (gaps) => {
        const { cookie } = await signIn(h.app, TOKEN);
        const opened = h.clock.now();
        let lastSeen = opened;
        let ended = false;
        for (const ms of gaps) {
          h.clock.advance(ms);
          const now = h.clock.now();
          // The model: open until the first idle gap or the absolute end; a request touches the
          // session when its last touch is a minute old or more.
          if (!ended && (now >= opened + SESSION_ABSOLUTE_MS || now >= lastSeen + SESSION_IDLE_MS))
            ended = true;
          if (!ended && now - lastSeen >= SESSION_TOUCH_INTERVAL_MS) lastSeen = now;
          expect(await status(h, cookie), `after ${now - opened} ms`).toBe(ended ? 401 : 200);
        }
        // Whatever happened, no session outlives its absolute end.
        h.clock.advance(SESSION_ABSOLUTE_MS);
        expect(await status(h, cookie)).toBe(401);
      }),
      { numRuns: 40 },
    );
  });

  it("touches last_seen_at at most once a minute (no write per page view)", async () => {
    const h = await harness();
    const { cookie } = await signIn(h.app, TOKEN);
    const seen = () => sessionRows(h)[0]?.last_seen_at;
    const start = seen();
    for (let i = 0; i < 5; i++) {
      h.clock.advance(10_000);
      expect(await status(h, cookie)).toBe(200);
    }
    expect(seen()).toBe(start);
    h.clock.advance(10_000);
    expect(await status(h, cookie)).toBe(200);
    expect(seen()).toBe(h.clock.now());
  });

  it("is not kept open by the page's own refresh: a forgotten tab reaches the idle end", async () => {
    const h = await harness();
    const { cookie } = await signIn(h.app, TOKEN);
    // The refresh a person turned on.
    const page = await (await h.app.request("/?refresh=on", { headers: { cookie } })).text();
    const refresh = /http-equiv="refresh" content="\d+;url=([^"]+)"/.exec(page)?.[1] ?? "";
    expect(refresh).toMatch(/^\/\?auto=1$/);
    const start = sessionRows(h)[0]?.last_seen_at;
    let elapsed = 0;
    while (elapsed + SESSION_TOUCH_INTERVAL_MS < SESSION_IDLE_MS) {
      h.clock.advance(SESSION_TOUCH_INTERVAL_MS);
      elapsed += SESSION_TOUCH_INTERVAL_MS;
      expect(await status(h, cookie, refresh)).toBe(200);
    }
    expect(sessionRows(h)[0]?.last_seen_at).toBe(start);
    h.clock.advance(SESSION_IDLE_MS - elapsed);
    expect(await status(h, cookie, refresh)).toBe(401);
    expect(sessionRows(h)).toHaveLength(0);
  });

  it("purges ended sessions in bounded batches at sign-in", async () => {
    const h = await harness();
    for (let i = 0; i < 150; i++) await signIn(h.app, TOKEN);
    h.clock.advance(SESSION_IDLE_MS);
    await signIn(h.app, TOKEN);
    expect(sessionRows(h)).toHaveLength(150 - 100 + 1);
    await signIn(h.app, TOKEN);
    expect(sessionRows(h)).toHaveLength(2);
  });
});

describe("signing in", () => {
  it("never keeps an id the browser offered: a planted id opens nothing, and a held session is replaced", async () => {
    const h = await harness();
    const planted = "A".repeat(43);
    const fresh = await signIn(h.app, TOKEN, { cookie: `mux_ingest_session=${planted}` });
    expect(fresh.id).not.toBe(planted);
    expect(await status(h, `mux_ingest_session=${planted}`)).toBe(401);
    const next = await signIn(h.app, TOKEN, { cookie: fresh.cookie });
    expect(await status(h, fresh.cookie)).toBe(401);
    expect(await status(h, next.cookie)).toBe(200);
    expect(sessionRows(h)).toHaveLength(1);
  });

  it("purgeExpired deletes ended sessions and finished rate-limit windows, a bounded batch at a time", async () => {
    const h = await harness();
    for (let i = 0; i < 120; i++) await signIn(h.app, TOKEN);
    for (let i = 0; i < 3; i++) await postForm(h.app, "/dashboard/login", "token=wrong-token-00000");
    h.clock.advance(SESSION_IDLE_MS);
    expect(await purgeExpired(h.deps)).toEqual({ sessions: PURGE_BATCH, failures: 2 });
    expect(await purgeExpired(h.deps)).toEqual({ sessions: 20, failures: 0 });
    expect(sessionRows(h)).toHaveLength(0);
  });
});

describe("signing out", () => {
  it("ends the session on the server: the old cookie replayed is refused", async () => {
    const h = await harness();
    const { cookie } = await signIn(h.app, TOKEN);
    const other = await signIn(h.app, TOKEN);
    const out = await postForm(h.app, "/dashboard/logout", `csrf=${await csrfOf(h.app, cookie)}`, { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/?notice=signed_out");
    expect(out.headers.get("set-cookie")).toMatch(/^mux_ingest_session=; Max-Age=0; Path=\//);
    expect(await status(h, cookie)).toBe(401);
    expect(sessionRows(h)).toHaveLength(1);
    // Only that session ended.
    expect(await status(h, other.cookie)).toBe(200);
  });
});
