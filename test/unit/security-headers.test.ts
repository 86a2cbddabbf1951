/**
 * The security headers are Hono's `secureHeaders` for our options, whichever way an answer gets
 * them: set on it by the middleware after the route, or built into it by `securedJson`.
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { describe, expect, it } from "vitest";
import type { HttpEnv } from "../../src/http/context";
import {
  SECURE_HEADERS_OPTIONS,
  SECURITY_HEADERS,
  securedJson,
  securityHeaders,
} from "../../src/http/security-headers";

const headersOf = (res: Response) => Object.fromEntries([...res.headers].sort());

function app(middleware: ReturnType<typeof securityHeaders>) {
  const routes = new Hono<HttpEnv>();
  routes.use(requestId());
  routes.use(middleware);
  routes.get("/json", (c) => c.json({ ok: true }));
  routes.get("/text", (c) => c.text("plain"));
  routes.get("/raw", () => new Response("raw", { headers: { "x-powered-by": "someone" } }));
  routes.get("/secured", (c) => securedJson(c, JSON.stringify({ ok: true }), 200));
  routes.get("/fails", () => {
    throw new Error("boom");
  });
  routes.onError((_err, c) => c.json({ error: true }, 500));
  return routes;
}

describe("security headers", () => {
  const ours = app(securityHeaders());
  const hono = app(secureHeaders(SECURE_HEADERS_OPTIONS) as ReturnType<typeof securityHeaders>);

  it.each(["/json", "/text", "/raw", "/fails"])(
    "are the ones Hono's secureHeaders sets, on %s",
    async (path) => {
      const [mine, theirs] = await Promise.all([ours.request(path), hono.request(path)]);
      const without = (res: Response) => {
        const all = headersOf(res);
        delete all["x-request-id"];
        return all;
      };
      expect(without(mine)).toEqual(without(theirs));
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(mine.headers.get(name)).toBe(value);
      expect(mine.headers.get("x-powered-by")).toBeNull();
    },
  );

  it("are built into a secured JSON answer, with its request id, as on any other JSON answer", async () => {
    const secured = await ours.request("/secured", { headers: { "x-request-id": "req-1" } });
    const json = await ours.request("/json", { headers: { "x-request-id": "req-1" } });
    expect(headersOf(secured)).toEqual(headersOf(json));
    expect(secured.headers.get("x-request-id")).toBe("req-1");
    expect(await secured.json()).toEqual({ ok: true });
  });
});
