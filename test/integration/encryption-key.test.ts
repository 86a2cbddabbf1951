/**
 * A changed or lost ENCRYPTION_KEY: a connection sealed under another key is out of service,
 * and nothing else is. Its webhooks (and forgeries) get 401, never 500; other connections keep
 * verifying; /readyz and the overview name it; a PATCH that supplies every secret re-seals it
 * without decrypting the old ones; `rekey` re-seals everything, or nothing when the old key does
 * not open every value.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connections } from "../../src/db/schema";
import { DashboardPage } from "../../src/http/dashboard/page";
import { SecretBox } from "../../src/lib/secret-box";
import { readOverview } from "../../src/resources/overview";
import { rekeySecrets } from "../../src/resources/rekey";
import { reportUnopenableSecrets } from "../../src/resources/sealed-secrets";
import { sealConnectionSecrets } from "../../src/sync/seal-secrets";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import {
  createHarness,
  type Harness,
  T0,
  TEST_PIPELINE_SECRET,
  TEST_TOKEN_ID,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const HARNESS_KEY = "test-encryption-key-that-is-long-enough";
const OTHER_KEY = "another-encryption-key-that-is-also-long";
const LOST_TOKEN_SECRET = "lost-token-secret-value-0123";
const LOST_WEBHOOK_SECRET = "lost-webhook-secret-value-0123";

let h: Harness;
let other: SecretBox;
beforeEach(async () => {
  h = await createHarness({ env: { ADMIN_TOKEN, PIPELINE_SECRET: TEST_PIPELINE_SECRET } });
  other = await SecretBox.fromPassphrase(OTHER_KEY);
  // Sealed under another key, and older than the default connection: tried first.
  await h.database.db.insert(connections).values({
    id: "con_lost",
    name: "Lost key",
    accessTokenId: TEST_TOKEN_ID,
    ...(await sealConnectionSecrets(other, {
      accessTokenSecret: LOST_TOKEN_SECRET,
      webhookSecrets: [LOST_WEBHOOK_SECRET],
    })),
    createdAt: T0 - 1000,
    updatedAt: T0 - 1000,
  });
});
afterEach(() => h.close());

const nowS = () => Math.floor(h.clock.now() / 1000);
const post = (body: string, signature: string | null, path = "/webhooks/mux") =>
  h.app.request(path, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      ...(signature === null ? {} : { "mux-signature": signature }),
    },
  });
const api = (method: string, path: string, body?: unknown) =>
  h.app.request(path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const event = () => JSON.stringify(muxEvent("video.asset.ready", { id: "asset1", status: "ready" }));
const sealedColumns = () =>
  h.database.sqlite
    .prepare(
      "select id, access_token_secret, webhook_secrets, signing_private_key from connections union all select id, pipeline_secret, pipeline_secret_previous, null from buckets order by id",
    )
    .all();

describe("a connection sealed under another key", () => {
  it("never turns a webhook into a 500: the others verify, it and forgeries get 401", async () => {
    const body = event();
    expect((await post(body, muxSignature(body, TEST_WEBHOOK_SECRET, nowS()))).status).toBe(200);
    expect((await post(body, muxSignature(body, "forged-secret-value", nowS()))).status).toBe(401);
    expect((await post(body, muxSignature(body, LOST_WEBHOOK_SECRET, nowS()))).status).toBe(401);
    expect(
      (await post(body, muxSignature(body, LOST_WEBHOOK_SECRET, nowS()), "/webhooks/mux/con_lost")).status,
    ).toBe(401);
    // The class: whatever the body and signature header, neither endpoint answers 5xx.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.constant(body)),
        fc.option(fc.oneof(fc.string({ maxLength: 120 }), fc.constant(`t=${nowS()},v1=${"ab".repeat(32)}`))),
        fc.constantFrom("/webhooks/mux", "/webhooks/mux/con_lost"),
        async (raw, signature, path) => {
          const status = (await post(raw, signature, path)).status;
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("is named at start-up, on /readyz (200, degraded) and in the overview, with no secret", async () => {
    await reportUnopenableSecrets(h.deps);
    const line = h.logs.find((l) => l.includes("cannot be opened"));
    expect(line).toBeDefined();
    expect(JSON.parse(String(line))).toMatchObject({
      level: "error",
      connections: [{ id: "con_lost", name: "Lost key" }],
    });
    const ready = await h.app.request("/readyz");
    expect(ready.status).toBe(200);
    const text = await ready.text();
    expect(JSON.parse(text)).toMatchObject({
      ok: true,
      degraded: true,
      unopenable_connections: [{ id: "con_lost", name: "Lost key" }],
      unopenable_buckets: [],
    });
    for (const secret of [LOST_TOKEN_SECRET, LOST_WEBHOOK_SECRET, OTHER_KEY, HARNESS_KEY])
      expect(text).not.toContain(secret);
    const overview = await readOverview(h.deps);
    expect(overview.unopenable).toEqual({ connections: [{ id: "con_lost", name: "Lost key" }], buckets: [] });
    const page = String(await DashboardPage({ overview, csrf: "csrf", notice: null })?.toString());
    expect(page).toMatch(
      /data-testid="unopenable"[^>]*>[^<]*cannot be opened[^<]*connections: Lost key \(con_lost\)/,
    );
    const healthy = String(
      await DashboardPage({
        overview: { ...overview, unopenable: { connections: [], buckets: [] } },
        csrf: "csrf",
        notice: null,
      })?.toString(),
    );
    expect(healthy).not.toContain('data-testid="unopenable"');
  });

  it("a PATCH that supplies every secret re-seals it without the old key; one that keeps a secret is 409", async () => {
    const kept = await api("PATCH", "/v1/connections/con_lost", { name: "renamed" });
    expect(kept.status).toBe(409);
    expect(await kept.text()).toContain("access_token_secret");
    const newWebhookSecret = "new-webhook-secret-value-0123";
    const resealed = await api("PATCH", "/v1/connections/con_lost", {
      access_token_secret: "new-token-secret-value-0123",
      webhook_secrets: [newWebhookSecret],
    });
    expect(resealed.status).toBe(200);
    expect((await h.deps.credentials.get("con_lost")).webhookSecrets).toEqual([newWebhookSecret]);
    const body = event();
    expect(
      (await post(body, muxSignature(body, newWebhookSecret, nowS()), "/webhooks/mux/con_lost")).status,
    ).toBe(200);
    expect(await (await h.app.request("/readyz")).json()).toEqual({ ok: true });
  });
});

describe("rekey", () => {
  it("refuses, changing nothing, when the old key does not open every value", async () => {
    const before = sealedColumns();
    await expect(
      rekeySecrets(h.deps, { from: other, to: await SecretBox.fromPassphrase("x".repeat(40)) }),
    ).rejects.toThrow(/con_default.*nothing was changed/);
    await expect(rekeySecrets(h.deps, { from: h.deps.box, to: other })).rejects.toThrow(/con_lost/);
    expect(sealedColumns()).toEqual(before);
  });

  it("re-seals every connection and bucket secret under the new key, and back", async () => {
    h.database.sqlite.prepare("delete from connections where id = 'con_lost'").run();
    const next = await SecretBox.fromPassphrase("a-brand-new-encryption-key-for-rekey");
    const before = sealedColumns() as Array<Record<string, string | null>>;
    const result = await rekeySecrets(h.deps, { from: h.deps.box, to: next });
    expect(result).toEqual({ connections: 1, buckets: 1, values: 3 });
    const after = sealedColumns() as Array<Record<string, string | null>>;
    for (const [i, row] of after.entries()) {
      for (const [column, value] of Object.entries(row)) {
        if (column === "id" || value === null) continue;
        const old = before[i]?.[column];
        expect(value).not.toBe(old);
        expect(await next.open(value)).toBe(await h.deps.box.open(String(old)));
        await expect(h.deps.box.open(value)).rejects.toThrow();
      }
    }
    expect(await rekeySecrets(h.deps, { from: next, to: h.deps.box })).toEqual(result);
    h.clock.advance(10_000);
    const body = event();
    expect((await post(body, muxSignature(body, TEST_WEBHOOK_SECRET, nowS()))).status).toBe(200);
  });
});
