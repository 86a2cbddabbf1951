/**
 * Every route of the app fits Hono's RegExpRouter, so the SmartRouter picks it: one match per
 * request (static paths from a map) instead of TrieRouter's walk, which cost the webhook route
 * about 3 KiB and a microsecond and a half per request. A route it cannot hold (a static path
 * beside a parameter followed by more path, such as `/x/replay` next to `/x/:id/replay`) makes
 * Hono fall back to TrieRouter for every route; this test names it.
 */
import { RegExpRouter } from "hono/router/reg-exp-router";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../helpers/harness";

let h: Harness;
afterEach(() => h?.close());

describe("the app's router", () => {
  it("is RegExpRouter: every route fits it", async () => {
    h = await createHarness();
    const unfit: string[] = [];
    const router = new RegExpRouter<unknown>();
    for (const route of h.app.routes) {
      try {
        router.add(route.method, route.path, route.handler);
      } catch {
        unfit.push(`${route.method} ${route.path}`);
      }
    }
    expect(unfit).toEqual([]);
    await h.app.request("/healthz");
    const smart = h.app.router as unknown as { activeRouter: { name: string } };
    expect(smart.activeRouter.name).toBe("RegExpRouter");
  });
});
