/**
 * The whole HTTP surface under hostile input, route by route as the app registers them (so a
 * route added later is covered without editing this file): webhooks, `/v1`, the dashboard, the
 * docs, metrics and health.
 * - Every route that can take a body lies under a group of `bodyRules`, and an oversized body is
 *   refused with 413 before authentication, with or without credentials, declared by
 *   Content-Length (nothing read) or streamed without it (read no further than the limit).
 * - Malformed and crafted bodies and headers (wrong media types, broken JSON, unicode, NUL bytes,
 *   prototype-pollution keys, huge header values) get a 4xx (or the route's normal answer), never
 *   a 5xx; no prototype is polluted; and the app stays healthy throughout.
 * Memory under real oversized uploads is measured against a real process in
 * `test/e2e/hostile-bodies.test.ts`.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BodyRule, bodyRules } from "../../src/http/body-limits";
import { createHarness, type Harness, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const ADMIN_TOKEN = "hostile-surface-admin-token-0123456789";
const CHUNK = 16 * 1024;

let h: Harness;
let rules: BodyRule[];
let session: string;
beforeAll(async () => {
  h = await createHarness({ env: { ADMIN_TOKEN } });
  rules = bodyRules(h.settings.http);
  const login = await h.app.request("/dashboard/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: `token=${ADMIN_TOKEN}`,
  });
  expect(login.status).toBe(303);
  session = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  expect(session).toMatch(/=./);
});
afterAll(() => h.close());

type Route = { method: string; path: string };

/** Every route the app serves, parameters filled in. */
function routes(): Route[] {
  const seen = new Set<string>();
  const out: Route[] = [];
  for (const route of h.app.routes) {
    if (route.method === "ALL") continue;
    const path = route.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, (_m, name: string) => `${name}-x`);
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: route.method, path });
  }
  return out;
}

const takesBody = (route: Route) => !["GET", "HEAD", "OPTIONS"].includes(route.method);
const ruleOf = (path: string) =>
  rules.find(
    (rule) => path.startsWith(rule.path.replace(/\*$/, "")) || path === rule.path.replace(/\/\*$/, ""),
  );
const bodyRoutes = () => routes().filter(takesBody);

const credentials: Array<[string, Record<string, string>]> = [
  ["no credentials", {}],
  ["the bearer token", { authorization: `Bearer ${ADMIN_TOKEN}` }],
  ["a dashboard session", {}],
];
const withSession = (name: string, headers: Record<string, string>) =>
  name === "a dashboard session" ? { ...headers, cookie: session } : headers;

/** `total` bytes produced on demand, counting what the server pulled. */
function countingBody(total: number) {
  const pulled = { bytes: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const size = Math.min(CHUNK, total - sent);
        sent += size;
        pulled.bytes += size;
        controller.enqueue(new Uint8Array(size).fill(0x7b));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled };
}

async function healthy() {
  expect((await h.app.request("/healthz")).status).toBe(200);
  expect((await h.app.request("/readyz")).status).toBe(200);
}

describe("the surface the app registers", () => {
  it("has every kind of route to check (the enumeration is not vacuous)", () => {
    const all = routes().map((r) => r.path);
    for (const path of ["/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/", "/webhooks/mux"]) {
      expect(all).toContain(path);
    }
    expect(bodyRoutes().filter((r) => r.path.startsWith("/v1/")).length).toBeGreaterThanOrEqual(8);
    expect(bodyRoutes().filter((r) => r.path.startsWith("/dashboard/")).length).toBeGreaterThanOrEqual(5);
  });

  it("puts every route that can take a body under a body rule", () => {
    const unguarded = bodyRoutes().filter((route) => ruleOf(route.path) === undefined);
    expect(unguarded).toEqual([]);
  });
});

describe("an oversized body", () => {
  it("is refused with 413 on every body-reading route before authentication, declared or streamed", async () => {
    let checked = 0;
    for (const route of bodyRoutes()) {
      const rule = ruleOf(route.path);
      if (!rule) throw new Error(`no rule for ${route.path}`);
      for (const [name, auth] of credentials) {
        const headers = withSession(name, { "content-type": rule.mediaTypes[0] ?? "", ...auth });
        const declared = countingBody(64 * rule.maxBytes);
        const refused = await h.app.request(route.path, {
          method: route.method,
          body: declared.stream,
          headers: { ...headers, "content-length": String(64 * rule.maxBytes) },
          // @ts-expect-error: Node's fetch needs duplex for a streamed body.
          duplex: "half",
        });
        const where = `${route.method} ${route.path} with ${name}`;
        expect(refused.status, `${where}, declared`).toBe(413);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
        // Nothing read but what the stream machinery pulls ahead.
        expect(declared.pulled.bytes, where).toBeLessThanOrEqual(2 * CHUNK);

        const streamed = countingBody(64 * rule.maxBytes);
        const cut = await h.app.request(route.path, {
          method: route.method,
          body: streamed.stream,
          headers,
          // @ts-expect-error: Node's fetch needs duplex for a streamed body.
          duplex: "half",
        });
        expect(cut.status, `${where}, streamed`).toBe(413);
        expect(streamed.pulled.bytes, where).toBeLessThanOrEqual(rule.maxBytes + 3 * CHUNK);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * 15);
    await healthy();
  });

  it("of exactly the limit is not refused for its size", async () => {
    for (const path of ["/webhooks/mux", "/v1/connections", "/dashboard/login"]) {
      const rule = ruleOf(path);
      if (!rule) throw new Error(`no rule for ${path}`);
      const res = await h.app.request(path, {
        method: "POST",
        headers: { "content-type": rule.mediaTypes[0] ?? "" },
        body: "x".repeat(rule.maxBytes),
      });
      expect(res.status, path).not.toBe(413);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});

/** Header values a fetch Request accepts: Latin-1 without controls, up to 16 KiB. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 64 }),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 64 }),
  fc.nat({ max: 16 * 1024 }).map((n) => "A".repeat(n)),
);
const headerName = fc.constantFrom(
  "content-type",
  "authorization",
  "cookie",
  "x-request-id",
  "mux-signature",
  "origin",
  "accept",
  "accept-encoding",
  "content-encoding",
  "x-forwarded-for",
  "x-forwarded-proto",
  "host",
);
const mediaType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "text/plain",
  "application/octet-stream",
  "",
  "application/json, text/plain",
  ";;;",
);
const pollution = fc.constantFrom(
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"name":"x","__proto__":{"polluted":"yes"},"provider":"mux"}',
  "__proto__[polluted]=yes&constructor[prototype][polluted]=yes&token=x",
  "a[__proto__][polluted]=yes&csrf=x",
);
const body = fc.oneof(
  pollution,
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null"),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ maxLength: 100 }).map((s) => `{"name":"${s}\u0000","provider":"mux"`),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => new TextDecoder("latin1").decode(bytes)),
  fc.constantFrom("{", "[[[[", '{"a":', "\u0000\u0000", "%%%&&&==", "token=%E0%A4%A", "\uFEFF{}", "null"),
);

describe("malformed and crafted requests", () => {
  it("get a 4xx (or the route's normal answer) on every route, never a 5xx, and pollute nothing", async () => {
    const all = routes();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all),
        fc.constantFrom(...credentials),
        mediaType,
        body,
        fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
        async (route, [name, auth], type, text, extra) => {
          const headers = withSession(name, { ...extra, "content-type": type, ...auth });
          const res = await h.app.request(route.path, {
            method: route.method,
            headers,
            body: takesBody(route) ? text : undefined,
          });
          expect(res.status, `${route.method} ${route.path}`).toBeLessThan(500);
          expect(res.status).toBeGreaterThanOrEqual(200);
          await res.arrayBuffer();
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty("polluted");
        },
      ),
      { numRuns: 400 },
    );
    await healthy();
  });

  it("never echo a crafted request id: a huge or odd one is replaced", async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, async (value) => {
        const res = await h.app.request("/healthz", { headers: { "x-request-id": value } });
        const echoed = res.headers.get("x-request-id") ?? "";
        expect(echoed).toMatch(/^[\w=-]{1,128}$/);
        if (/^[\w=-]{1,128}$/.test(value)) expect(echoed).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  it("take a genuine webhook and a genuine admin read just as before, in between", async () => {
    const event = JSON.stringify(
      muxEvent("video.asset.created", { id: "asset-surface", status: "preparing" }),
    );
    const hook = await h.app.request("/webhooks/mux", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "mux-signature": muxSignature(event, TEST_WEBHOOK_SECRET, Math.floor(h.clock.now() / 1000)),
      },
      body: event,
    });
    expect(hook.status).toBe(200);
    const list = await h.app.request("/v1/connections", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(list.status).toBe(200);
    await healthy();
  });
});
