/**
 * The sign-in rate limit, over arbitrary sequences of attempts: each client gets five failed
 * attempts per fifteen-minute window and everyone together a hundred, counted before the token
 * is compared; a refusal is 429 with the window's remaining seconds in Retry-After. The client
 * is the runtime's address (the Node socket, Cloudflare's CF-Connecting-IP) and a forwarded
 * address counts only with TRUST_PROXY.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  SIGN_IN_ATTEMPTS_GLOBAL,
  SIGN_IN_ATTEMPTS_PER_CLIENT,
  SIGN_IN_WINDOW_MS,
} from "../../src/resources/sessions";
import { postForm } from "../helpers/dashboard-client";
import { createHarness, type Harness, type HarnessOptions } from "../helpers/harness";

const TOKEN = "sign-in-admin-token-0123456789";

const open: Harness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

async function harness(env: Record<string, string> = {}, adjust?: HarnessOptions["adjust"]) {
  const h = await createHarness({ env: { ADMIN_TOKEN: TOKEN, ...env }, adjust });
  open.push(h);
  return h;
}

function attempt(
  h: Harness,
  token: string,
  headers: Record<string, string> = {},
  env?: Record<string, unknown>,
) {
  return postForm(h.app, "/dashboard/login", `token=${encodeURIComponent(token)}`, headers, env);
}

const failureRows = (h: Harness) =>
  (h.database.sqlite.prepare("select count(*) as n from sign_in_failures").get() as { n: number }).n;

type Step = { client: number; correct: boolean; advanceMs: number };

describe("the sign-in rate limit", () => {
  it("answers every sequence of attempts as the model does: five failures per client per window, then 429 until it ends", async () => {
    const step = fc.record({
      client: fc.integer({ min: 0, max: 3 }),
      correct: fc.boolean(),
      advanceMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 4 * 60_000 }),
        fc.integer({ min: SIGN_IN_WINDOW_MS - 60_000, max: SIGN_IN_WINDOW_MS + 60_000 }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps: Step[]) => {
        const h = await createHarness({ env: { ADMIN_TOKEN: TOKEN, TRUST_PROXY: "true" } });
        try {
          const windows = new Map<number, { start: number; count: number }>();
          for (const { client, correct, advanceMs } of steps) {
            h.clock.advance(advanceMs);
            const now = h.clock.now();
            let window = windows.get(client);
            if (window && now >= window.start + SIGN_IN_WINDOW_MS) window = undefined;
            const limited = window !== undefined && window.count >= SIGN_IN_ATTEMPTS_PER_CLIENT;
            const res = await attempt(h, correct ? TOKEN : `wrong-${TOKEN}`, {
              // The proxy appended the address it saw; what the client wrote before it is ignored.
              "x-forwarded-for": `198.51.100.9, 203.0.113.${client}`,
            });
            if (limited) {
              expect(res.status).toBe(429);
              expect(Number(res.headers.get("retry-after"))).toBe(
                Math.ceil(((window?.start ?? now) + SIGN_IN_WINDOW_MS - now) / 1000),
              );
              expect(res.headers.get("set-cookie")).toBeNull();
              continue;
            }
            window = window ? { start: window.start, count: window.count + 1 } : { start: now, count: 1 };
            if (correct) {
              expect(res.status).toBe(303);
              windows.delete(client);
            } else {
              expect(res.status).toBe(401);
              windows.set(client, window);
            }
          }
        } finally {
          h.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("refuses the right token too once the window is full: nothing is compared until it ends", async () => {
    const h = await harness();
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_CLIENT; i++)
      expect((await attempt(h, "wrong-token-000000")).status).toBe(401);
    const refused = await attempt(h, TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(SIGN_IN_WINDOW_MS / 1000));
    expect(await refused.text()).toContain("Too many failed sign-ins");
    // Refused before its form is read: a body (declared within the form limit, so the body rules
    // pass it on unread) is left unread.
    let pulled = 0;
    const chunk = new TextEncoder().encode(`token=${TOKEN}&pad=${"a".repeat(900)}`);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
        if (pulled >= 4) controller.close();
      },
    });
    const unread = await h.app.request("/dashboard/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://localhost",
        "content-length": String(chunk.length * 4),
      },
      body,
      duplex: "half",
    } as RequestInit);
    expect(unread.status).toBe(429);
    expect(pulled).toBeLessThanOrEqual(1);
    h.clock.advance(SIGN_IN_WINDOW_MS);
    expect((await attempt(h, TOKEN)).status).toBe(303);
  });

  it("ignores X-Forwarded-For without TRUST_PROXY: a new forwarded address is not a new client", async () => {
    const h = await harness();
    const statuses: number[] = [];
    for (let i = 0; i <= SIGN_IN_ATTEMPTS_PER_CLIENT; i++)
      statuses.push((await attempt(h, "wrong-token-000000", { "x-forwarded-for": `203.0.113.${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("keys the limit on the Node socket's address", async () => {
    const h = await harness();
    const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_CLIENT; i++)
      expect((await attempt(h, "wrong-token-000000", {}, from("192.0.2.1"))).status).toBe(401);
    expect((await attempt(h, TOKEN, {}, from("192.0.2.1"))).status).toBe(429);
    // Another socket address is another client; a spoofed header does not make the first one new.
    expect((await attempt(h, TOKEN, {}, from("192.0.2.2"))).status).toBe(303);
    expect((await attempt(h, TOKEN, { "x-forwarded-for": "192.0.2.3" }, from("192.0.2.1"))).status).toBe(429);
  });

  it("keys the limit on CF-Connecting-IP on Workers", async () => {
    const h = await harness({}, (settings) => {
      settings.http.clientAddress = "cf-connecting-ip";
    });
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_CLIENT; i++)
      expect((await attempt(h, "wrong-token-000000", { "cf-connecting-ip": "198.51.100.1" })).status).toBe(
        401,
      );
    expect((await attempt(h, TOKEN, { "cf-connecting-ip": "198.51.100.1" })).status).toBe(429);
    expect((await attempt(h, TOKEN, { "cf-connecting-ip": "198.51.100.2" })).status).toBe(303);
  });

  it("keys an IPv6 client by its /64, however it writes its address", async () => {
    const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const prefix = fc
      .array(hextet, { minLength: 4, maxLength: 4 })
      .filter((p) => p.join(":") !== "2001:db8:0:ffff");
    await fc.assert(
      fc.asyncProperty(
        prefix,
        fc.array(fc.array(hextet, { minLength: 4, maxLength: 4 }), { minLength: 6, maxLength: 6 }),
        async (net, hosts) => {
          const h = await createHarness({
            env: { ADMIN_TOKEN: TOKEN },
            adjust: (s) => {
              s.http.clientAddress = "cf-connecting-ip";
            },
          });
          try {
            const address = (host: string[], i: number) =>
              i % 2 === 0
                ? [...net, ...host].join(":")
                : [...net, ...host]
                    .map((g) => g.padStart(4, "0"))
                    .join(":")
                    .toUpperCase();
            for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_CLIENT; i++)
              expect(
                (await attempt(h, "wrong-token-000000", { "cf-connecting-ip": address(hosts[i] ?? [], i) }))
                  .status,
              ).toBe(401);
            expect((await attempt(h, TOKEN, { "cf-connecting-ip": address(hosts[5] ?? [], 5) })).status).toBe(
              429,
            );
            expect((await attempt(h, TOKEN, { "cf-connecting-ip": "2001:db8:0:ffff::1" })).status).toBe(303);
          } finally {
            h.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("holds a global floor: a hundred failures from many clients refuse every client, without a write", async () => {
    const h = await harness({ TRUST_PROXY: "true" });
    const clients = SIGN_IN_ATTEMPTS_GLOBAL / SIGN_IN_ATTEMPTS_PER_CLIENT;
    for (let c = 0; c < clients; c++)
      for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_CLIENT; i++)
        expect((await attempt(h, "wrong-token-000000", { "x-forwarded-for": `10.0.${c}.1` })).status).toBe(
          401,
        );
    const rows = failureRows(h);
    for (let i = 0; i < 20; i++)
      expect((await attempt(h, TOKEN, { "x-forwarded-for": `10.1.${i}.1` })).status).toBe(429);
    expect(failureRows(h)).toBe(rows);
    // The windows end, their rows are purged by the next attempt, and sign-in works again.
    h.clock.advance(SIGN_IN_WINDOW_MS);
    expect((await attempt(h, TOKEN, { "x-forwarded-for": "10.2.0.1" })).status).toBe(303);
    expect(rows).toBe(clients + 1);
    expect(failureRows(h)).toBe(1);
  });
});
