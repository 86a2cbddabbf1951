/**
 * Which connections a webhook reaches, and what a forged one costs, with 21 connections:
 * - a forged request costs a small constant number of HMACs whatever it claims (environment id,
 *   connection id, signature), counted at the `Hmac` port;
 * - a genuine one is verified with one HMAC, against the connection pinned to its environment;
 * - an unknown connection id answers exactly what a bad signature answers (no existence oracle);
 * - two connections of one environment each record the event and get their jobs, whether each has
 *   its own endpoint or both share the unsuffixed one; a duplicate to one is still a duplicate.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nodeHmac } from "../../src/mux/node-hmac";
import { createConnection, deleteConnection, updateConnection } from "../../src/resources/connections";
import { MAX_SIGNATURE_HMACS } from "../../src/resources/webhook-events";
import { MAX_WEBHOOK_CANDIDATES } from "../../src/sync/webhook-routing";
import { createHarness, type Harness, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const ADMIN_TOKEN = "webhook-routing-admin-token-0123";

let h: Harness | undefined;
afterEach(() => {
  vi.useRealTimers();
  h?.close();
  h = undefined;
});

/** The HMAC port, counting its calls (node:crypto underneath). */
function countingHmac() {
  const counter = {
    calls: 0,
    async hex(secret: string, ...parts: string[]): Promise<string> {
      counter.calls++;
      return nodeHmac.hex(secret, ...parts);
    },
  };
  return counter;
}

async function world() {
  const hmac = countingHmac();
  const harness = await createHarness({ env: { ADMIN_TOKEN }, hmac });
  h = harness;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await harness.app.request(path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as { id: string };
  };
  const pin = (connectionId: string, environmentId: string | null) => {
    harness.database.sqlite
      .prepare("UPDATE connections SET environment_id = ? WHERE id = ?")
      .run(environmentId, connectionId);
    harness.deps.routing.invalidate();
  };
  /** A connection with its own secret, and a bucket and sync of its own. */
  const connection = async (index: number, secret = `routing-webhook-secret-${index}`) => {
    harness.clock.advance(1_000); // creation order is the candidates' order
    const { id } = await api("POST", "/v1/connections", {
      name: `Connection ${index}`,
      provider: "mux",
      access_token_id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      access_token_secret: `routing-token-secret-${index}`,
      webhook_secrets: [secret],
    });
    const bucket = await api("POST", "/v1/buckets", { name: `Bucket ${index}` });
    const sync = await api("POST", `/v1/buckets/${bucket.id}/syncs`, { connection_id: id });
    return { id, secret, syncId: sync.id };
  };
  const post = (path: string, body: string, signature: string | null) =>
    harness.app.request(path, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(signature === null ? {} : { "mux-signature": signature }),
      },
      body,
    });
  const nowS = () => Math.floor(harness.clock.now() / 1000);
  const sign = (body: string, secret: string) => muxSignature(body, secret, nowS());
  const event = (environmentId: string | null, assetId = "asset-r", id?: string) =>
    JSON.stringify(
      muxEvent(
        "video.asset.ready",
        { id: assetId, status: "ready" },
        {
          ...(id === undefined ? {} : { id }),
          environment: environmentId === null ? undefined : { id: environmentId, name: "Env" },
        },
      ),
    );
  const rows = (query: string, ...params: unknown[]) =>
    harness.database.sqlite.prepare(query).all(...params) as Array<Record<string, unknown>>;
  return { harness, hmac, api, pin, connection, post, sign, event, nowS, rows };
}

/** Any id that stays one path segment once encoded ("." and ".." are resolved away by URLs). */
const pathSegment = fc.string({ minLength: 1, maxLength: 80 }).filter((id) => !/^\.{1,2}$/.test(id));

/** con_default (the environment's) plus 20 more: 10 pinned to env-a, 5 to env-b, 5 unpinned. */
async function twentyOne() {
  const w = await world();
  w.pin("con_default", "env-default");
  const others = [];
  for (let i = 1; i <= 20; i++) {
    const c = await w.connection(i);
    w.pin(c.id, i <= 10 ? "env-a" : i <= 15 ? "env-b" : null);
    others.push(c);
  }
  w.hmac.calls = 0;
  return { ...w, others };
}

describe("what a forged webhook costs, with 21 connections", () => {
  it("never more than a small constant number of HMACs, whatever it claims (property)", async () => {
    const w = await twentyOne();
    const ids = ["con_default", ...w.others.map((c) => c.id)];
    const claim = fc.record({
      environmentId: fc.oneof(
        fc.constantFrom("env-a", "env-b", "env-default", null),
        fc.string({ maxLength: 40 }),
      ),
      path: fc.oneof(
        fc.constant("/webhooks/mux"),
        fc.constantFrom(...ids).map((id) => `/webhooks/mux/${id}`),
        pathSegment.map((id) => `/webhooks/mux/${encodeURIComponent(id)}`),
      ),
      signatures: fc.array(fc.stringMatching(/^[0-9a-f]{64}$/), { minLength: 1, maxLength: 5 }),
    });
    let most = 0;
    await fc.assert(
      fc.asyncProperty(claim, async ({ environmentId, path, signatures }) => {
        const body = w.event(environmentId || null);
        const header = [`t=${w.nowS()}`, ...signatures.map((s) => `v1=${s}`)].join(",");
        const before = w.hmac.calls;
        const res = await w.post(path, body, header);
        expect(res.status).toBe(401);
        const cost = w.hmac.calls - before;
        most = Math.max(most, cost);
        // One secret per connection here: at most the candidates on the unsuffixed route, one on a suffixed one.
        expect(cost).toBeLessThanOrEqual(path === "/webhooks/mux" ? MAX_WEBHOOK_CANDIDATES : 1);
        expect(cost).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
    expect(most).toBe(MAX_WEBHOOK_CANDIDATES);
    expect(w.rows("SELECT * FROM webhook_events")).toEqual([]);
  });

  it("stays within MAX_SIGNATURE_HMACS when the candidates hold many secrets", async () => {
    const w = await world();
    for (let i = 1; i <= 6; i++) {
      const c = await w.connection(i);
      await w.api("PATCH", `/v1/connections/${c.id}`, {
        webhook_secrets: Array.from({ length: 10 }, (_, k) => `many-secret-${i}-${k}-0123456789`),
      });
      w.pin(c.id, "env-many");
    }
    w.hmac.calls = 0;
    const res = await w.post("/webhooks/mux", w.event("env-many"), `t=${w.nowS()},v1=${"0".repeat(64)}`);
    expect(res.status).toBe(401);
    expect(w.hmac.calls).toBe(MAX_SIGNATURE_HMACS);
  });

  it("verifies a genuine webhook with one HMAC, against the connection pinned to its environment", async () => {
    const w = await twentyOne();
    const target = w.others[10]; // the one pinned to env-b first, created after 11 others
    if (!target) throw new Error("no connection");
    const body = w.event("env-b", "asset-b");
    const res = await w.post("/webhooks/mux", body, w.sign(body, target.secret));
    expect(res.status).toBe(200);
    expect(w.hmac.calls).toBe(1);
    expect(w.rows("SELECT connection_id FROM webhook_events")).toEqual([{ connection_id: target.id }]);
    // On its own endpoint: exactly one.
    w.hmac.calls = 0;
    const again = w.event("env-b", "asset-b2");
    expect((await w.post(`/webhooks/mux/${target.id}`, again, w.sign(again, target.secret))).status).toBe(
      200,
    );
    expect(w.hmac.calls).toBe(1);
  });

  it("takes a webhook for a connection not pinned yet (a fresh install), among the first candidates", async () => {
    const w = await world();
    w.pin("con_default", null);
    const fresh = await w.connection(1);
    w.hmac.calls = 0;
    const body = w.event("env-never-seen");
    expect((await w.post("/webhooks/mux", body, w.sign(body, fresh.secret))).status).toBe(200);
    expect(w.hmac.calls).toBe(2);
    expect(w.rows("SELECT connection_id FROM webhook_events")).toEqual([{ connection_id: fresh.id }]);
  });
});

describe("an unknown connection id", () => {
  it("answers exactly what a bad signature on a known connection answers, at the cost of one HMAC (property)", async () => {
    const w = await world();
    const known = await w.connection(1);
    const header = fc.oneof(
      fc.constant(null),
      fc.stringMatching(/^[0-9a-f]{64}$/).map((mac) => `t=${w.nowS()},v1=${mac}`),
      fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      fc.constant(`t=${w.nowS() - 10_000},v1=${"a".repeat(64)}`),
    );
    const unknownId = pathSegment.filter((id) => id !== known.id && id !== "con_default");
    await fc.assert(
      fc.asyncProperty(unknownId, header, async (id, signature) => {
        const body = w.event("env-x");
        const calls0 = w.hmac.calls;
        const unknown = await w.post(`/webhooks/mux/${encodeURIComponent(id)}`, body, signature);
        const calls1 = w.hmac.calls;
        const forged = await w.post(`/webhooks/mux/${known.id}`, body, signature);
        const calls2 = w.hmac.calls;
        expect(unknown.status).toBe(forged.status);
        expect([400, 401]).toContain(unknown.status);
        expect(await unknown.text()).toBe(await forged.text());
        const headers = (res: Response) =>
          [...res.headers].filter(([name]) => name !== "x-request-id").sort();
        expect(headers(unknown)).toEqual(headers(forged));
        expect(calls1 - calls0).toBe(calls2 - calls1);
      }),
      { numRuns: 150 },
    );
    expect(w.rows("SELECT * FROM webhook_events")).toEqual([]);
  });

  it("is logged as an unknown connection, though answered as a mismatch", async () => {
    const w = await world();
    const body = w.event("env-x");
    const res = await w.post("/webhooks/mux/con_nope", body, w.sign(body, TEST_WEBHOOK_SECRET));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { details: unknown } }).error.details).toEqual({
      reason: "mismatch",
    });
    expect(w.harness.logs.some((line) => line.includes('"reason":"unknown_connection"'))).toBe(true);
  });
});

describe("two connections of one environment", () => {
  const jobsFor = (w: Awaited<ReturnType<typeof world>>, syncId: string) =>
    w.rows("SELECT idempotency_key FROM jobs WHERE type = 'ingest' AND payload LIKE ?", `%"${syncId}"%`);

  it("each record the event and get their jobs on their own endpoints; a duplicate to one is a duplicate", async () => {
    const w = await world();
    const a = await w.connection(1);
    const b = await w.connection(2);
    w.pin(a.id, "env-shared");
    w.pin(b.id, "env-shared");
    const body = w.event("env-shared", "asset-s", "evt-shared-1");
    const toA = await w.post(`/webhooks/mux/${a.id}`, body, w.sign(body, a.secret));
    const toB = await w.post(`/webhooks/mux/${b.id}`, body, w.sign(body, b.secret));
    expect(await toA.json()).toEqual({ received: true, duplicate: false });
    expect(await toB.json()).toEqual({ received: true, duplicate: false });
    expect(
      w.rows("SELECT connection_id FROM webhook_events WHERE id = 'evt-shared-1' ORDER BY connection_id"),
    ).toEqual([a.id, b.id].sort().map((connection_id) => ({ connection_id })));
    expect(jobsFor(w, a.syncId)).toHaveLength(1);
    expect(jobsFor(w, b.syncId)).toHaveLength(1);
    // Mux retries to A: a duplicate there, and nothing new for anyone.
    w.harness.database.sqlite.prepare("UPDATE jobs SET status = 'done' WHERE type = 'ingest'").run();
    const retry = await w.post(`/webhooks/mux/${a.id}`, body, w.sign(body, a.secret));
    expect(await retry.json()).toEqual({ received: true, duplicate: true });
    expect(w.rows("SELECT * FROM jobs WHERE type = 'ingest' AND status != 'done'")).toEqual([]);
  });

  it("each record the event and get their jobs when they share the unsuffixed endpoint and its secret", async () => {
    const w = await world();
    const shared = "routing-shared-endpoint-secret";
    const a = await w.connection(1, shared);
    const b = await w.connection(2, shared);
    w.pin(a.id, "env-shared");
    w.pin(b.id, "env-shared");
    w.hmac.calls = 0;
    const body = w.event("env-shared", "asset-t", "evt-shared-2");
    const res = await w.post("/webhooks/mux", body, w.sign(body, shared));
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    // The shared secret is computed once for both.
    expect(w.hmac.calls).toBe(1);
    expect(
      w.rows("SELECT connection_id FROM webhook_events WHERE id = 'evt-shared-2' ORDER BY connection_id"),
    ).toEqual([a.id, b.id].sort().map((connection_id) => ({ connection_id })));
    expect(jobsFor(w, a.syncId)).toHaveLength(1);
    expect(jobsFor(w, b.syncId)).toHaveLength(1);
    const again = await w.post("/webhooks/mux", body, w.sign(body, shared));
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(w.rows("SELECT * FROM webhook_events WHERE id = 'evt-shared-2'")).toHaveLength(2);
  });
});

describe("a change to a connection, seen by the very next webhook", () => {
  /**
   * Through the verbs themselves (the API, the dashboard and the CLI all call them), with the
   * wall clock stopped, so that no cache can have expired in between: what the next webhook sees
   * comes from the change being announced, not from time passing.
   */
  async function frozen() {
    const w = await world();
    vi.useFakeTimers({ toFake: ["Date"] });
    const { deps } = w.harness;
    const a = await w.connection(1, "secret-a-before-rotation");
    w.pin(a.id, "env-a");
    const send = async (path: string, environmentId: string, secret: string, n: number) => {
      const body = w.event(environmentId, `asset-c${n}`, `evt-change-${n}`);
      return (await w.post(path, body, w.sign(body, secret))).status;
    };
    // Both routes have the connection and its secrets cached.
    expect(await send("/webhooks/mux", "env-a", a.secret, 1)).toBe(200);
    expect(await send(`/webhooks/mux/${a.id}`, "env-a", a.secret, 2)).toBe(200);
    return { ...w, deps, a, send };
  }

  it("stops verifying a rotated-out secret and verifies the new one", async () => {
    const { deps, a, send } = await frozen();
    await updateConnection(deps, { id: a.id, patch: { webhook_secrets: ["secret-a-after-rotation"] } });
    expect(await send("/webhooks/mux", "env-a", a.secret, 3)).toBe(401);
    expect(await send(`/webhooks/mux/${a.id}`, "env-a", a.secret, 4)).toBe(401);
    expect(await send("/webhooks/mux", "env-a", "secret-a-after-rotation", 5)).toBe(200);
    expect(await send(`/webhooks/mux/${a.id}`, "env-a", "secret-a-after-rotation", 6)).toBe(200);
  });

  it("routes to a new connection, and no longer to a deleted one", async () => {
    const { deps, a, send, rows } = await frozen();
    const created = await createConnection(deps, {
      connection: {
        name: "Created",
        provider: "mux",
        access_token_id: "00000000-0000-4000-8000-00000000c0de",
        access_token_secret: "created-token-secret-0123",
        webhook_secrets: ["secret-of-the-created-one"],
      },
    });
    // Not pinned yet: a candidate for any environment, on both routes.
    expect(await send("/webhooks/mux", "env-new", "secret-of-the-created-one", 3)).toBe(200);
    expect(await send(`/webhooks/mux/${created.id}`, "env-new", "secret-of-the-created-one", 4)).toBe(200);
    expect(rows("SELECT connection_id FROM webhook_events WHERE id = 'evt-change-3'")).toEqual([
      { connection_id: created.id },
    ]);
    await deleteConnection(deps, { id: created.id });
    await deleteConnection(deps, { id: a.id, force: true });
    expect(await send("/webhooks/mux", "env-new", "secret-of-the-created-one", 5)).toBe(401);
    expect(await send(`/webhooks/mux/${created.id}`, "env-new", "secret-of-the-created-one", 6)).toBe(401);
    expect(await send(`/webhooks/mux/${a.id}`, "env-a", a.secret, 7)).toBe(401);
  });
});
