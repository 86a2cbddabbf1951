/**
 * The admin API's gate and its connections: auth, validation that names fields, write-only
 * secrets (masked in answers, sealed at rest, never logged), and the connection test against the
 * fake Mux for each outcome (valid, 401, 403, unreachable).
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { bootstrapDefaults } from "../../src/resources/bootstrap";
import { defaultSyncSpec } from "../../src/settings";
import {
  ADMIN_TOKEN,
  type AdminHarness,
  createAdminHarness,
  type ErrorAnswer,
  json,
} from "../helpers/admin-api";
import {
  createHarness,
  TEST_PIPELINE_SECRET,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";
import { network } from "../helpers/no-network";
import { auditLogsAfterAll, LogAudit } from "../helpers/secret-log-audit";

const audit = new LogAudit();
const OTHER_TOKEN_ID = "22222222-3333-4444-8555-666666666666";
const OTHER_SECRET = "second-token-secret-c0ff";
const ROTATED_SECRET = "rotated-token-secret-beef";
const WEBHOOK_SECRET_2 = "webhook-secret-number-two-9a0b";
const PRIVATE_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
audit.secret(
  ADMIN_TOKEN,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
  TEST_PIPELINE_SECRET,
  OTHER_SECRET,
  ROTATED_SECRET,
  WEBHOOK_SECRET_2,
  PRIVATE_KEY,
);

let h: AdminHarness;
afterEach(() => h?.close());

async function harness(env: Record<string, string | undefined> = {}) {
  h = await createAdminHarness(env);
  audit.watch(h.logs);
  return h;
}

const newConnection = {
  name: "Second environment",
  provider: "mux",
  access_token_id: OTHER_TOKEN_ID,
  access_token_secret: OTHER_SECRET,
  webhook_secrets: [WEBHOOK_SECRET_2],
  signing_key_id: "signing-key-id-1",
  signing_private_key: PRIVATE_KEY,
};

describe("the /v1 gate", () => {
  it("is disabled with a clear 503 when ADMIN_TOKEN is unset, never open", async () => {
    await harness({ ADMIN_TOKEN: undefined });
    for (const path of ["/v1/connections", "/v1/buckets", "/v1/jobs"]) {
      const res = await h.api("GET", path, undefined, "anything-at-all-here");
      expect(res.status).toBe(503);
      const body = await json<ErrorAnswer>(res);
      expect(body.error.code).toBe("DISABLED");
      expect(body.error.message).toContain("set ADMIN_TOKEN");
    }
    const dashboard = await h.app.request("/");
    expect(dashboard.status).toBe(503);
    expect(await dashboard.text()).toContain("set ADMIN_TOKEN");
  });

  it("answers 401 without a token or with a wrong one, on every route", async () => {
    await harness();
    const routes: Array<[string, string]> = [
      ["GET", "/v1/connections"],
      ["POST", "/v1/connections"],
      ["GET", "/v1/connections/con_default"],
      ["PATCH", "/v1/connections/con_default"],
      ["DELETE", "/v1/connections/con_default"],
      ["POST", "/v1/connections/con_default/test"],
      ["GET", "/v1/buckets"],
      ["POST", "/v1/buckets"],
      ["GET", "/v1/buckets/bkt_default"],
      ["PATCH", "/v1/buckets/bkt_default"],
      ["DELETE", "/v1/buckets/bkt_default"],
      ["GET", "/v1/buckets/bkt_default/syncs"],
      ["POST", "/v1/buckets/bkt_default/syncs"],
      ["GET", "/v1/buckets/bkt_default/syncs/syn_default"],
      ["PATCH", "/v1/buckets/bkt_default/syncs/syn_default"],
      ["DELETE", "/v1/buckets/bkt_default/syncs/syn_default"],
      ["POST", "/v1/buckets/bkt_default/syncs/syn_default/pause"],
      ["POST", "/v1/buckets/bkt_default/syncs/syn_default/resume"],
      ["POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger"],
      ["GET", "/v1/buckets/bkt_default/syncs/syn_default/runs"],
      ["GET", "/v1/buckets/bkt_default/objects"],
      ["GET", "/v1/buckets/bkt_default/objects/x"],
      ["POST", "/v1/buckets/bkt_default/objects/x/retry"],
      ["GET", "/v1/jobs"],
      ["POST", "/v1/jobs/job_x/retry"],
    ];
    for (const [method, path] of routes) {
      const missing = await h.api(method, path, undefined, null);
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.headers.get("www-authenticate")).toContain("Bearer");
      const wrong = await h.api(method, path, undefined, `${ADMIN_TOKEN}x`);
      expect(wrong.status, `${method} ${path}`).toBe(401);
      expect((await json<ErrorAnswer>(wrong)).error.message).toContain("does not match");
    }
    // Nothing changed behind the 401s.
    expect((await h.api("GET", "/v1/connections/con_default")).status).toBe(200);
    expect((await h.api("GET", "/v1/buckets/bkt_default/syncs/syn_default")).status).toBe(200);
  });
});

describe("connections", () => {
  it("creates a connection: 201, an id, secrets only as masks", async () => {
    await harness();
    const res = await h.api("POST", "/v1/connections", newConnection);
    expect(res.status).toBe(201);
    const text = await res.text();
    for (const secret of [OTHER_SECRET, WEBHOOK_SECRET_2, PRIVATE_KEY, "MIIEvAIBADAN"])
      expect(text).not.toContain(secret);
    const created = JSON.parse(text);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^con_/),
      name: "Second environment",
      provider: "mux",
      access_token_id: OTHER_TOKEN_ID,
      access_token_secret: "****c0ff",
      webhook_secrets: ["****9a0b"],
      signing_key_id: "signing-key-id-1",
      // The stored hint is the key's last four characters; a PEM ends in dashes.
      // The hint comes from the end of the key material, not the PEM footer.
      signing_private_key: "****AASC",
      origin: "api",
      last_test: null,
      sync_ids: [],
    });
    const got = await json(await h.api("GET", `/v1/connections/${created.id}`));
    expect(got).toEqual(created);
    const list = await json<{ data: Array<{ id: string; access_token_secret: string }> }>(
      await h.api("GET", "/v1/connections"),
    );
    expect(list.data.map((c) => c.id)).toEqual(["con_default", created.id]);
    expect(list.data[0]?.access_token_secret).toBe(`****${TEST_TOKEN_SECRET.slice(-4)}`);
    expect(JSON.stringify(list)).not.toContain(TEST_TOKEN_SECRET);
  });

  it("keeps secrets encrypted at rest: the database file holds no clear secret", async () => {
    await harness();
    const created = await json<{ id: string }>(await h.api("POST", "/v1/connections", newConnection));
    const image = h.database.sqlite.serialize();
    expect(image.includes(Buffer.from(OTHER_TOKEN_ID))).toBe(true); // the file is readable: ids are there
    for (const secret of [
      OTHER_SECRET,
      WEBHOOK_SECRET_2,
      "MIIEvAIBADAN",
      TEST_TOKEN_SECRET,
      TEST_WEBHOOK_SECRET,
    ]) {
      expect(image.includes(Buffer.from(secret)), secret).toBe(false);
    }
    const row = h.database.sqlite
      .prepare("select access_token_secret from connections where id = ?")
      .get(created.id) as {
      access_token_secret: string;
    };
    expect(row.access_token_secret).toMatch(/^v1\./);
    expect(await h.deps.box.open(row.access_token_secret)).toBe(OTHER_SECRET);
  });

  it("names each bad field in a 400", async () => {
    await harness();
    const res = await h.api("POST", "/v1/connections", {
      name: "",
      access_token_id: "not-a-uuid",
      webhook_secrets: "one",
    });
    expect(res.status).toBe(400);
    const body = await json<ErrorAnswer>(res);
    expect(body.error.code).toBe("VALIDATION");
    const fields = Object.fromEntries((body.error.details ?? []).map((d) => [d.field, d.message]));
    expect(fields).toEqual({
      name: "must not be empty",
      access_token_id: "must be a UUID (the Mux Access Token ID)",
      access_token_secret: "is required",
      webhook_secrets: "must be a list of strings",
    });
    expect(body.error.message).toContain("access_token_secret is required");

    const unknown = await json<ErrorAnswer>(
      await h.api("POST", "/v1/connections", {
        name: "x",
        access_token_id: OTHER_TOKEN_ID,
        access_token_secret: "abc",
        acess: 1,
      }),
    );
    expect(unknown.error.details?.[0]).toEqual({
      field: "body",
      message: expect.stringContaining('unknown key "acess"'),
    });

    const half = await json<ErrorAnswer>(
      await h.api("POST", "/v1/connections", { ...newConnection, signing_private_key: undefined }),
    );
    expect(half.error.details?.[0]?.field).toBe("signing_private_key");
    expect(half.error.details?.[0]?.message).toContain("go together");

    const malformed = await h.app.request("/v1/connections", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect((await h.api("GET", "/v1/connections")).status).toBe(200);
    expect((await json<{ data: unknown[] }>(await h.api("GET", "/v1/connections"))).data).toHaveLength(1);
  });

  it("answers 404 for unknown ids", async () => {
    await harness();
    for (const [method, path] of [
      ["GET", "/v1/connections/con_nope"],
      ["PATCH", "/v1/connections/con_nope"],
      ["DELETE", "/v1/connections/con_nope"],
      ["POST", "/v1/connections/con_nope/test"],
    ] as const) {
      const res = await h.api(method, path, method === "PATCH" ? { name: "x" } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await json<ErrorAnswer>(res)).error).toMatchObject({
        code: "NOT_FOUND",
        message: "Connection con_nope does not exist",
      });
    }
  });

  it("rotates secrets with PATCH: new mask, the credentials in use change at once", async () => {
    await harness();
    h.fake.addAccessToken({ id: TEST_TOKEN_ID, secret: ROTATED_SECRET });
    const res = await h.api("PATCH", "/v1/connections/con_default", {
      access_token_secret: ROTATED_SECRET,
      webhook_secrets: [TEST_WEBHOOK_SECRET, WEBHOOK_SECRET_2],
    });
    expect(res.status).toBe(200);
    const updated = await json<Record<string, unknown>>(res);
    expect(updated.access_token_secret).toBe("****beef");
    expect(updated.webhook_secrets).toEqual([`****${TEST_WEBHOOK_SECRET.slice(-4)}`, "****9a0b"]);
    expect((await h.deps.credentials.get("con_default")).tokenSecret).toBe(ROTATED_SECRET);
    const test = await json<{ success: boolean }>(await h.api("POST", "/v1/connections/con_default/test"));
    expect(test.success).toBe(true);

    const cleared = await json<Record<string, unknown>>(
      await h.api("PATCH", "/v1/connections/con_default", { webhook_secrets: null, name: "Renamed" }),
    );
    expect(cleared).toMatchObject({ name: "Renamed", webhook_secrets: [], access_token_secret: "****beef" });
  });

  it("refuses to delete a connection that syncs use, unless forced", async () => {
    await harness();
    const refused = await h.api("DELETE", "/v1/connections/con_default");
    expect(refused.status).toBe(409);
    expect((await json<ErrorAnswer>(refused)).error.message).toContain("syn_default");
    expect((await h.api("GET", "/v1/connections/con_default")).status).toBe(200);

    const lonely = await json<{ id: string }>(await h.api("POST", "/v1/connections", newConnection));
    expect((await h.api("DELETE", `/v1/connections/${lonely.id}`)).status).toBe(200);
    expect((await h.api("GET", `/v1/connections/${lonely.id}`)).status).toBe(404);

    const forced = await h.api("DELETE", "/v1/connections/con_default?force=true");
    expect(forced.status).toBe(200);
    expect(await json(forced)).toEqual({ id: "con_default", deleted: true });
    expect((await h.api("GET", "/v1/buckets/bkt_default/syncs/syn_default")).status).toBe(404);
    expect((await h.api("GET", "/v1/buckets/bkt_default")).status).toBe(200);
  });
});

describe("POST /v1/connections/:id/test", () => {
  it("valid credentials: success, with the environment Mux reports, recorded on the connection", async () => {
    await harness();
    const res = await h.api("POST", "/v1/connections/con_default/test");
    expect(res.status).toBe(200);
    const result = await json<{ success: boolean; message: string; details: Record<string, unknown> }>(res);
    expect(result.success).toBe(true);
    expect(result.message).toContain('environment "Fake Development" (fk3nv1)');
    expect(result.details).toMatchObject({ environment_id: "fk3nv1", environment_name: "Fake Development" });
    const connection = await json<{ last_test: Record<string, unknown> }>(
      await h.api("GET", "/v1/connections/con_default"),
    );
    expect(connection.last_test).toMatchObject({ success: true, message: result.message });
  });

  it("a wrong secret (401): success false with the troubleshooting text", async () => {
    await harness();
    const created = await json<{ id: string }>(
      await h.api("POST", "/v1/connections", {
        name: "wrong",
        access_token_id: TEST_TOKEN_ID,
        access_token_secret: "wrong-secret-1234",
      }),
    );
    const result = await json<{ success: boolean; message: string; details: Record<string, unknown> }>(
      await h.api("POST", `/v1/connections/${created.id}/test`),
    );
    expect(result.success).toBe(false);
    expect(result.message).toContain("401");
    expect(result.message).toContain("check the token ID and secret");
    expect(result.message).toContain("Mux Video Read");
    expect(result.details).toMatchObject({ reason: "unauthorized", status: 401 });
    const connection = await json<{ last_test: Record<string, unknown> }>(
      await h.api("GET", `/v1/connections/${created.id}`),
    );
    expect(connection.last_test).toMatchObject({ success: false });
  });

  it("a token without Video Read (403): success false, names the missing permission", async () => {
    await harness();
    h.fake.addAccessToken({ id: OTHER_TOKEN_ID, secret: OTHER_SECRET, permissions: [] });
    const created = await json<{ id: string }>(
      await h.api("POST", "/v1/connections", {
        name: "no perms",
        access_token_id: OTHER_TOKEN_ID,
        access_token_secret: OTHER_SECRET,
      }),
    );
    const result = await json<{ success: boolean; message: string; details: Record<string, unknown> }>(
      await h.api("POST", `/v1/connections/${created.id}/test`),
    );
    expect(result.success).toBe(false);
    expect(result.message).toContain("403");
    expect(result.message).toContain("lacks a permission");
    expect(result.details).toMatchObject({ reason: "forbidden", status: 403 });
  });

  it("Mux unreachable: success false, says it could not reach Mux", async () => {
    await harness();
    network.use(http.get("https://api.mux.com/system/v1/whoami", () => HttpResponse.error()));
    const result = await json<{ success: boolean; message: string; details: Record<string, unknown> }>(
      await h.api("POST", "/v1/connections/con_default/test"),
    );
    expect(result.success).toBe(false);
    expect(result.message).toContain("Could not reach Mux at https://api.mux.com");
    expect(result.details).toMatchObject({ reason: "network" });
  });

  it("validate before saving: refused credentials save nothing; accepted ones are saved with their test", async () => {
    await harness();
    const refused = await h.api("POST", "/v1/connections?validate=true", {
      name: "bad",
      access_token_id: TEST_TOKEN_ID,
      access_token_secret: "wrong-secret-1234",
    });
    expect(refused.status).toBe(400);
    const body = await json<ErrorAnswer>(refused);
    expect(body.error.code).toBe("VALIDATION");
    expect(body.error.message).toContain("nothing was saved");
    expect(body.error.message).toContain("check the token ID and secret");
    expect((await json<{ data: unknown[] }>(await h.api("GET", "/v1/connections"))).data).toHaveLength(1);

    const accepted = await h.api("POST", "/v1/connections", {
      name: "good",
      access_token_id: TEST_TOKEN_ID,
      access_token_secret: TEST_TOKEN_SECRET,
      validate: true,
    });
    expect(accepted.status).toBe(201);
    expect(await json(accepted)).toMatchObject({ last_test: { success: true } });
  });
});

describe("environment bootstrap", () => {
  it("creates the default connection, bucket and sync once, then updates them in place", async () => {
    const hh = await createHarness({ bootstrap: false, env: { ADMIN_TOKEN } });
    audit.watch(hh.logs);
    try {
      const deps = hh.deps;
      expect(await bootstrapDefaults(deps, defaultSyncSpec(hh.config))).toEqual({
        created: true,
        syncId: "syn_default",
      });
      expect(await bootstrapDefaults(deps, defaultSyncSpec(hh.config))).toEqual({
        created: false,
        syncId: "syn_default",
      });
      const count = (table: string) =>
        (hh.database.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      expect([count("connections"), count("buckets"), count("syncs")]).toEqual([1, 1, 1]);
      const rotated = { ...hh.config, mux: { ...hh.config.mux, tokenSecret: ROTATED_SECRET } };
      hh.clock.advance(1000);
      expect(await bootstrapDefaults(deps, defaultSyncSpec(rotated))).toEqual({
        created: false,
        syncId: "syn_default",
      });
      expect([count("connections"), count("buckets"), count("syncs")]).toEqual([1, 1, 1]);
      expect((await hh.deps.credentials.get("con_default")).tokenSecret).toBe(ROTATED_SECRET);
      const res = await hh.app.request("/v1/connections/con_default", {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(await json(res)).toMatchObject({ origin: "env", access_token_secret: "****beef" });
    } finally {
      hh.close();
    }
  });
});

auditLogsAfterAll(audit, 10);
