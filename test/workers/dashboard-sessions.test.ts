/**
 * Dashboard sessions on Workers: the same verbs over D1 (its batch for every multi-statement
 * write), the request's own https URL making the cookie `__Host-` and Secure, and Cloudflare's
 * CF-Connecting-IP as the rate limit's client.
 */
import { describe, expect, it } from "vitest";
import { WORKER_TEST_VARS } from "./helpers/test-vars";
import { createWorkerHarness, type WorkerHarness } from "./helpers/worker-harness";

const TOKEN = WORKER_TEST_VARS.ADMIN_TOKEN;
const ORIGIN = "https://worker.test";

function signIn(worker: WorkerHarness, token: string, client: string) {
  return worker.fetch("/dashboard/login", {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: ORIGIN,
      "cf-connecting-ip": client,
    },
    body: `token=${encodeURIComponent(token)}`,
  });
}

describe("dashboard sessions on Workers", () => {
  it("opens a __Host- session in D1, ends it on sign-out, and rate-limits by CF-Connecting-IP", async () => {
    const worker = createWorkerHarness();
    const opened = await signIn(worker, TOKEN, "203.0.113.1");
    expect(opened.status).toBe(303);
    expect(opened.headers.get("set-cookie")).toMatch(
      /^__Host-mux_ingest_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await worker.fetch("/", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(await page.text())?.[1] ?? "";
    expect(await worker.rows("SELECT id_hash FROM admin_sessions")).toHaveLength(1);

    const out = await worker.fetch("/dashboard/logout", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, cookie },
      body: `csrf=${csrf}`,
    });
    expect(out.status).toBe(303);
    expect((await worker.fetch("/", { headers: { cookie } })).status).toBe(401);
    expect(await worker.rows("SELECT id_hash FROM admin_sessions")).toHaveLength(0);

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await signIn(worker, "wrong-token-000000", "203.0.113.2")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await signIn(worker, TOKEN, "203.0.113.3")).status).toBe(303);
    expect(await worker.rows("SELECT client, failures FROM sign_in_failures ORDER BY client")).toEqual([
      { client: "*", failures: 5 },
      { client: "ip:203.0.113.2", failures: 5 },
    ]);
  });
});
