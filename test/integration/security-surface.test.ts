/**
 * The admin surface and the secrets, checked systematically rather than route by route:
 * - every `/v1` route the app registers (enumerated from the app itself, so a route added later is
 *   covered without editing this file) and every dashboard route refuses without the token, with a
 *   wrong one, and answers 503 when no token is configured;
 * - no secret appears in any answer of any route nor in any log line of the file;
 * - connection secrets are sealed in the SQLite file (the clear secret is not in its bytes);
 * - rendition downloads only go to the configured stream host, whatever an asset claims;
 * - every HTML page (each GET route answering HTML, and the sign-in answers) carries the strict
 *   CSP, nosniff, no referrer and no framing, and has no inline script, style or handler.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env";
import type { createApp } from "../../src/http/app";
import { openNode } from "../../src/node/open-node";
import { ADMIN_TOKEN, type AdminHarness, createAdminHarness } from "../helpers/admin-api";
import {
  createHarness,
  type Harness,
  TEST_PIPELINE_SECRET,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";
import { network } from "../helpers/no-network";
import { auditLogsAfterAll, LogAudit } from "../helpers/secret-log-audit";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const SECOND_SECRET = "security-suite-token-secret-7f3a";
const SECOND_WEBHOOK_SECRET = "security-suite-webhook-secret-19c2";
const PRIVATE_KEY =
  "-----BEGIN PRIVATE KEY-----\nU2VjdXJpdHlTdWl0ZVByaXZhdGVLZXk=\n-----END PRIVATE KEY-----";
const ENCRYPTION_KEY = "security-suite-encryption-key-0123456789";
const audit = new LogAudit();
audit.secret(
  ADMIN_TOKEN,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
  TEST_PIPELINE_SECRET,
  SECOND_SECRET,
  SECOND_WEBHOOK_SECRET,
  PRIVATE_KEY,
  ENCRYPTION_KEY,
);
const SECRETS = [
  ADMIN_TOKEN,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
  TEST_PIPELINE_SECRET,
  SECOND_SECRET,
  SECOND_WEBHOOK_SECRET,
  PRIVATE_KEY,
  ENCRYPTION_KEY,
];

let h: AdminHarness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

async function adminHarness(env: Record<string, string | undefined> = {}) {
  h = await createAdminHarness(env);
  audit.watch(h.logs);
  return h;
}

type Route = { method: string; path: string };

/** Every route the app serves under a prefix, with its parameters filled in. */
function routesOf(app: ReturnType<typeof createApp>, prefix: (path: string) => boolean): Route[] {
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const route of app.routes) {
    if (route.method === "ALL" || !prefix(route.path)) continue;
    const path = route.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, (_match, name: string) => `${name}-x`);
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: route.method, path });
  }
  return routes;
}

const isAdminPath = (path: string) => path === "/v1" || path.startsWith("/v1/");
const isDashboardPath = (path: string) => path === "/" || path.startsWith("/dashboard");

function send(harness: Harness, route: Route, headers: Record<string, string> = {}, body?: string) {
  return harness.app.request(route.path, {
    method: route.method,
    headers: { "content-type": "application/json", ...headers },
    body: route.method === "GET" || route.method === "HEAD" ? undefined : (body ?? "{}"),
  });
}

describe("the admin API and the dashboard refuse anyone without the token", () => {
  it("has routes to check (the enumeration is not vacuous)", async () => {
    const harness = await adminHarness();
    const admin = routesOf(harness.app, isAdminPath);
    expect(admin.length).toBeGreaterThanOrEqual(15);
    expect(admin.map((r) => r.method)).toEqual(expect.arrayContaining(["GET", "POST", "PATCH", "DELETE"]));
    expect(routesOf(harness.app, isDashboardPath).length).toBeGreaterThanOrEqual(2);
  });

  it("answers 401 on every /v1 route without a token, with a wrong one, or with the token in the wrong place", async () => {
    const harness = await adminHarness();
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer not-the-admin-token-0000000" },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` },
      { authorization: ADMIN_TOKEN },
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}` },
      { "x-admin-token": ADMIN_TOKEN },
      { cookie: `mux_ingest_session=${ADMIN_TOKEN}` },
    ];
    for (const route of routesOf(harness.app, isAdminPath)) {
      for (const headers of attempts) {
        const res = await send(harness, route, headers);
        expect(res.status, `${route.method} ${route.path} with ${JSON.stringify(headers)}`).toBe(401);
        const text = await res.text();
        for (const secret of SECRETS) expect(text).not.toContain(secret);
      }
    }
  });

  it("answers 503 on every /v1 route and the dashboard when no ADMIN_TOKEN is configured", async () => {
    const harness = await adminHarness({ ADMIN_TOKEN: undefined });
    expect(harness.config.adminToken).toBeUndefined();
    for (const route of routesOf(harness.app, isAdminPath)) {
      const res = await send(harness, route, { authorization: "Bearer anything-at-all-1234567" });
      expect(res.status, `${route.method} ${route.path}`).toBe(503);
    }
    const dashboard = await harness.app.request("/");
    expect(dashboard.status).toBe(503);
  });

  it("shows the dashboard only to a bearer or a session made from the token, and refuses its actions otherwise", async () => {
    const harness = await adminHarness();
    expect((await harness.app.request("/")).status).toBe(401);
    expect(
      (await harness.app.request("/", { headers: { cookie: "mux_ingest_session=forged" } })).status,
    ).toBe(401);
    expect(
      (await harness.app.request("/", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status,
    ).toBe(200);
    // Every form route the dashboard registers (retry, re-pin, confirm-deletions, resume …);
    // logging in and out only ever touch the caller's own session.
    const own = new Set(["/dashboard/login", "/dashboard/logout"]);
    const actions = routesOf(harness.app, (p) => p.startsWith("/dashboard/") && !own.has(p))
      .filter((route) => route.method === "POST")
      .map((route) => route.path);
    expect(actions.length).toBeGreaterThanOrEqual(4);
    const FORM = "bucket_id=bkt_default&sync_id=syn_default&connection_id=con_default&asset_id=a1&csrf=guess";
    // Posted as a browser on the dashboard's own page would, so only the missing session refuses.
    const sameOrigin = { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" };
    const forms = [
      ...actions.map((path) => ({ path, body: FORM })),
      { path: "/dashboard/login", body: "token=not-the-admin-token" },
    ];
    for (const form of forms) {
      const res = await harness.app.request(form.path, {
        method: "POST",
        headers: sameOrigin,
        body: form.body,
      });
      expect(res.status, form.path).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    // Even signed in, an action without the session's CSRF value is refused.
    const login = await harness.app.request("/dashboard/login", {
      method: "POST",
      headers: sameOrigin,
      body: `token=${encodeURIComponent(ADMIN_TOKEN)}`,
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).not.toContain(ADMIN_TOKEN);
    for (const path of actions) {
      const refused = await harness.app.request(path, {
        method: "POST",
        headers: { ...sameOrigin, cookie },
        body: FORM,
      });
      expect(refused.status, path).toBe(403);
    }
  });
});

describe("every HTML page carries the security headers and nothing the CSP would block", () => {
  const CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];

  function expectHardened(res: Response, html: string, what: string) {
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of CSP_DIRECTIVES) expect(csp, what).toContain(directive);
    expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
    expect(res.headers.get("x-frame-options"), what).toBe("DENY");
    expect(html, what).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=|javascript:/i);
    // Every stylesheet it links is served, as CSS, by the app itself.
    const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(sheets.length, what).toBeGreaterThan(0);
    for (const sheet of sheets) expect(sheet, what).toMatch(/^\/assets\/[a-z]+\.css$/);
  }

  it("on every GET route that answers HTML, signed in or not, and on every sign-in answer", async () => {
    const harness = await adminHarness();
    const pages: Array<{ what: string; res: Response }> = [];
    for (const route of routesOf(harness.app, (p) => !p.startsWith("/webhooks"))) {
      if (route.method !== "GET") continue;
      for (const auth of [{ authorization: `Bearer ${ADMIN_TOKEN}` }, {}] as Array<Record<string, string>>) {
        const res = await harness.app.request(route.path, { headers: auth });
        pages.push({ what: `GET ${route.path} ${Object.keys(auth).join()}`, res });
      }
    }
    const form = { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" };
    for (const body of ["token=wrong-token-00000000", "token=wrong-token-00000000", "token="])
      pages.push({
        what: `login ${body}`,
        res: await harness.app.request("/dashboard/login", { method: "POST", headers: form, body }),
      });
    pages.push({
      what: "cross-site post",
      res: await harness.app.request("/dashboard/retry", {
        method: "POST",
        headers: { ...form, origin: "https://evil.example" },
        body: "csrf=x",
      }),
    });
    const html = pages.filter(({ res }) => (res.headers.get("content-type") ?? "").startsWith("text/html"));
    // The dashboard (401 and 200), the docs, the sign-in refusals and the cross-site refusal.
    expect(html.length).toBeGreaterThanOrEqual(7);
    expect(html.map((p) => p.what)).toEqual(expect.arrayContaining(["GET / authorization", "GET /docs "]));
    for (const { what, res } of html) expectHardened(res, await res.text(), what);
    for (const path of ["/assets/dashboard.css", "/assets/docs.css"]) {
      const css = await harness.app.request(path);
      expect(css.status, path).toBe(200);
      expect(css.headers.get("content-type"), path).toBe("text/css; charset=utf-8");
      expect((await css.text()).length, path).toBeGreaterThan(200);
    }
    // The API answers carry them too (harmless there).
    const api = await harness.api("GET", "/v1/connections");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("secrets never leave the service", () => {
  it("appear in no answer of any route, authorised or not, after connections with every kind of secret exist", async () => {
    const harness = await adminHarness();
    const created = await harness.api("POST", "/v1/connections", {
      name: "Security suite",
      provider: "mux",
      access_token_id: "33333333-4444-4555-8666-777777777777",
      access_token_secret: SECOND_SECRET,
      webhook_secrets: [SECOND_WEBHOOK_SECRET],
      signing_key_id: "security-key-id",
      signing_private_key: PRIVATE_KEY,
    });
    expect(created.status).toBe(201);
    const createdText = await created.text();
    const connectionId = (JSON.parse(createdText) as { id: string }).id;
    const answers: string[] = [createdText];
    const routes = [
      ...routesOf(harness.app, (p) => !p.startsWith("/webhooks")),
      { method: "GET", path: `/v1/connections/${connectionId}` },
      { method: "GET", path: "/v1/connections/con_default" },
      { method: "POST", path: `/v1/connections/${connectionId}/test` },
    ];
    for (const route of routes) {
      const auths: Array<Record<string, string>> = [{ authorization: `Bearer ${ADMIN_TOKEN}` }, {}];
      for (const auth of auths) {
        if (route.method === "DELETE") continue;
        const res = await send(harness, route, auth);
        expect(res.status, `${route.method} ${route.path}`).toBeLessThan(500);
        answers.push(`${route.method} ${route.path}\n${await res.text()}`);
      }
    }
    for (const answer of answers) {
      for (const secret of SECRETS) {
        expect(answer.includes(secret), `${secret.slice(0, 12)}… in ${answer.slice(0, 200)}`).toBe(false);
      }
    }
  });

  it("stores connection secrets sealed: the clear secrets are not in the database file's bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mux-ingest-sealed-"));
    try {
      const config = parseEnv({
        MUX_TOKEN_ID: TEST_TOKEN_ID,
        MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
        MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        ADMIN_TOKEN,
        ENCRYPTION_KEY,
        DATABASE_PATH: join(dir, "sealed.db"),
        LOG_LEVEL: "debug",
      });
      const logs: string[] = [];
      const node = await openNode(config, { logLevel: "info", logWrite: (l) => logs.push(l) });
      audit.watch(logs);
      const app = node.app;
      const res = await app.request("/v1/connections", {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: "sealed",
          provider: "mux",
          access_token_id: "44444444-5555-4666-8777-888888888888",
          access_token_secret: SECOND_SECRET,
          webhook_secrets: [SECOND_WEBHOOK_SECRET],
          signing_key_id: "sealed-key",
          signing_private_key: PRIVATE_KEY,
        }),
      });
      expect(res.status).toBe(201);
      // The secrets are usable (decrypted on demand) ...
      const body = JSON.stringify(muxEvent("video.asset.ready", { id: "sealed-asset" }));
      const signature = muxSignature(body, SECOND_WEBHOOK_SECRET, Math.floor(Date.now() / 1000));
      const hook = await app.request(`/webhooks/mux/${(JSON.parse(await res.text()) as { id: string }).id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "mux-signature": signature },
        body,
      });
      expect(hook.status).toBe(200);
      // ... but every byte on disk (database, WAL) is free of them, in any encoding that could leak.
      node.database.close();
      const files = readdirSync(dir).filter((name) => name.startsWith("sealed.db"));
      expect(files.length).toBeGreaterThan(0);
      for (const name of files) {
        const bytes = readFileSync(join(dir, name));
        for (const secret of [
          TEST_TOKEN_SECRET,
          TEST_WEBHOOK_SECRET,
          SECOND_SECRET,
          SECOND_WEBHOOK_SECRET,
          PRIVATE_KEY,
        ]) {
          expect(bytes.includes(Buffer.from(secret)), `${secret.slice(0, 10)}… in ${name}`).toBe(false);
          expect(bytes.includes(Buffer.from(Buffer.from(secret).toString("base64"))), `${name}`).toBe(false);
          expect(bytes.includes(Buffer.from(JSON.stringify(secret).slice(1, -1))), `${name}`).toBe(false);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("rendition downloads only go to the configured stream host", () => {
  const CRAFTED = [
    { playbackId: "@evil.test", name: "low.mp4" },
    { playbackId: "../../../evil", name: "low.mp4" },
    { playbackId: "pbk", name: "//evil.test/x.mp4" },
    { playbackId: "pbk", name: "https://evil.test/low.mp4" },
    { playbackId: "pbk", name: "../../../../../../tmp/mux-ingest-escape.mp4" },
    { playbackId: "pbk\\..\\..\\evil", name: "..%2F..%2Fescape.mp4" },
    // No file list: the names are guessed and probed with HEAD, under the crafted id.
    { playbackId: "pbk/../../@evil.test:443", name: null },
  ];

  it("never requests another host, nor writes outside STORAGE_DIR, for assets whose ids and file names are crafted", async () => {
    const storage = mkdtempSync(join(tmpdir(), "mux-ingest-storage-"));
    const requested: string[] = [];
    const harness = await createHarness({
      env: {
        STORAGE_DIR: storage,
        PIPELINE_URL: "https://pipeline.test/hooks",
        PIPELINE_SECRET: TEST_PIPELINE_SECRET,
      },
    });
    audit.watch(harness.logs);
    try {
      const onRequest = ({ request }: { request: Request }) => {
        requested.push(request.url);
      };
      network.events.on("request:start", onRequest);
      network.use(
        // Every ingest first checks which environment the token reaches (and pins it).
        http.get("https://api.mux.com/system/v1/whoami", () =>
          HttpResponse.json({
            data: { environment_id: "env-test", environment_name: "Test", permissions: [] },
          }),
        ),
        http.get("https://api.mux.com/video/v1/assets/:id", ({ params }) => {
          const index = Number(String(params.id).replace("crafted-", ""));
          const crafted = CRAFTED[index];
          return HttpResponse.json({
            data: {
              id: params.id,
              status: "ready",
              created_at: "1767225600",
              playback_ids: [{ id: crafted?.playbackId, policy: "public" }],
              ...(crafted?.name === null
                ? { mp4_support: "standard", static_renditions: { status: "ready" } }
                : {
                    static_renditions: {
                      files: [
                        {
                          name: crafted?.name,
                          ext: "mp4",
                          status: "ready",
                          filesize: "4",
                          width: 640,
                          height: 360,
                        },
                      ],
                    },
                  }),
              tracks: [{ type: "video", id: "t1" }],
            },
          });
        }),
        http.all(
          "https://stream.mux.com/*",
          ({ request }) =>
            new HttpResponse(request.method === "HEAD" ? null : new Uint8Array([1, 2, 3, 4]), {
              headers: { "content-length": "4" },
            }),
        ),
        http.post("https://pipeline.test/hooks", () => new HttpResponse(null, { status: 204 })),
      );
      for (let i = 0; i < CRAFTED.length; i++) {
        const body = JSON.stringify(muxEvent("video.asset.ready", { id: `crafted-${i}` }));
        const res = await harness.app.request("/webhooks/mux", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(harness.clock.now() / 1000)),
          },
          body,
        });
        expect(res.status).toBe(200);
      }
      await harness.runner.drain({ timeoutMs: 10_000 });
      network.events.removeListener("request:start", onRequest);

      const hosts = new Set(requested.map((url) => new URL(url).host));
      // A crafted playback id or file name is refused where the asset is parsed (mux/ids.ts):
      // it never reaches a URL, not even encoded.
      for (const crafted of CRAFTED.flatMap((c) => [c.playbackId, c.name]).filter((v) => v && v !== "pbk")) {
        const value = String(crafted);
        expect(
          requested.filter((url) => url.includes(encodeURIComponent(value)) || url.includes(value)),
        ).toEqual([]);
      }
      expect(requested.some((url) => new URL(url).host === "api.mux.com")).toBe(true);
      for (const host of hosts) expect(["api.mux.com", "pipeline.test", "stream.mux.com"]).toContain(host);
      for (const url of requested.filter((u) => new URL(u).host === "stream.mux.com")) {
        // Each crafted id and name stayed one encoded path segment under the stream host.
        expect(new URL(url).pathname.split("/").filter(Boolean)).toHaveLength(2);
      }
      const written = listFiles(storage);
      for (const file of written) expect(file.startsWith(storage)).toBe(true);
      expect(() => readFileSync("/tmp/mux-ingest-escape.mp4")).toThrow();
    } finally {
      harness.close();
      rmSync(storage, { recursive: true, force: true });
    }
  });
});

auditLogsAfterAll(audit, 0);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
