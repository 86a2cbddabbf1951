/**
 * Sign-in over a real socket, against `mux-ingest serve`: the rate limit's client is the
 * socket's peer, so a forged X-Forwarded-For does not buy more guesses; with TRUST_PROXY the
 * proxy's X-Forwarded-Proto makes the cookie `__Host-` and Secure, and its last
 * X-Forwarded-For hop is the client. Sessions live in the database: they survive a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const ADMIN_TOKEN = "e2e-sessions-admin-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "mux-ingest-sessions-"));
let serve: ServeProcess | undefined;

afterEach(async () => {
  await serve?.stop();
  serve = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string> = {}) {
  return startServe({
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    ENCRYPTION_KEY: "e2e-sessions-encryption-key-0123456789",
    ADMIN_TOKEN,
    ...env,
  });
}

function signIn(url: string, token: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/dashboard/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: url, ...headers },
    body: `token=${encodeURIComponent(token)}`,
  });
}

describe("sign-in over a real socket", () => {
  it("counts failures per socket address, whatever X-Forwarded-For says, and keeps sessions across a restart", async () => {
    serve = await start();
    const { url } = serve;
    const opened = await signIn(url, ADMIN_TOKEN);
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^mux_ingest_session=/);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await signIn(url, "wrong-token-0000000000", { "x-forwarded-for": `203.0.113.${i}` })).status,
      );
    const limited = await signIn(url, ADMIN_TOKEN, { "x-forwarded-for": "198.51.100.7" });
    expect([...statuses, limited.status]).toEqual([401, 401, 401, 401, 401, 429]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(890);
    expect(limited.headers.get("set-cookie")).toBeNull();

    await serve.stop();
    // The count is keyed on the socket's peer (the loopback address), not on any header.
    const db = new Database(join(dir, "mux-ingest.db"), { readonly: true });
    const clients = db.prepare("select client, failures from sign_in_failures order by client").all();
    db.close();
    expect(clients).toEqual([
      { client: "*", failures: 5 },
      { client: "ip:127.0.0.1", failures: 5 },
    ]);
    serve = await start();
    const page = await fetch(`${serve.url}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("behind a trusted TLS proxy: __Host- and Secure, and the last forwarded hop is the client", async () => {
    serve = await start({ TRUST_PROXY: "true" });
    const { url } = serve;
    const https = url.replace("http:", "https:");
    const proxied = (client: string) => ({
      "x-forwarded-proto": "https",
      "x-forwarded-for": client,
      origin: https,
    });
    const opened = await signIn(url, ADMIN_TOKEN, proxied("192.0.2.10"));
    expect(opened.status).toBe(303);
    expect(opened.headers.get("set-cookie")).toMatch(
      /^__Host-mux_ingest_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    for (let i = 0; i < 5; i++)
      expect((await signIn(url, "wrong-token-0000000000", proxied("192.0.2.11"))).status).toBe(401);
    expect((await signIn(url, ADMIN_TOKEN, proxied("192.0.2.11"))).status).toBe(429);
    expect((await signIn(url, ADMIN_TOKEN, proxied("192.0.2.12"))).status).toBe(303);
  });
});
