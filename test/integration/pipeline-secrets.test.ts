/**
 * Each bucket signs its deliveries with its own sealed pipeline secret: a pipeline that knows one
 * bucket's secret cannot verify (so its operator cannot forge) another bucket's deliveries; a
 * rotation signs with both secrets for its grace, then with the new one only; the secret is
 * answered once and never again, in no answer, log line or byte of the database file.
 */
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { generatePipelineSecret, signatureHeader } from "../../src/sync/pipeline-secrets";
import { ADMIN_TOKEN, type ErrorAnswer } from "../helpers/admin-api";
import { TEST_PIPELINE_SECRET, TEST_TOKEN_SECRET } from "../helpers/harness";
import { network } from "../helpers/no-network";
import { PipelineRecorder, verifyStandardWebhook } from "../helpers/pipeline-receiver";
import { auditLogsAfterAll, LogAudit } from "../helpers/secret-log-audit";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const URL_A = "https://pipeline-a.test/hooks";
const URL_B = "https://pipeline-b.test/hooks";
const audit = new LogAudit();
auditLogsAfterAll(audit, 20);

let h: FakeMuxHarness;
afterEach(() => h?.close());

type BucketAnswer = {
  id: string;
  pipeline_secret?: string;
  pipeline_secret_hint: string | null;
  pipeline_secret_previous_hint: string | null;
  pipeline_secret_previous_until: string | null;
};

/** Every signature header each pipeline received, and the deliveries its recorder accepted. */
async function world() {
  h = await createFakeMuxHarness({ env: { ADMIN_TOKEN, PIPELINE_SECRET: TEST_PIPELINE_SECRET } });
  audit.watch(h.logs);
  audit.secret(TEST_PIPELINE_SECRET, TEST_TOKEN_SECRET);
  const api = async (method: string, path: string, body?: unknown) =>
    h.app.request(path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const seen: Record<string, Array<{ signature: string; id: string; timestamp: string; body: string }>> = {
    [URL_A]: [],
    [URL_B]: [],
  };
  const recorders: Record<string, PipelineRecorder | null> = { [URL_A]: null, [URL_B]: null };
  for (const url of [URL_A, URL_B]) {
    network.use(
      http.post(url, async ({ request }) => {
        const copy = request.clone();
        seen[url]?.push({
          signature: String(request.headers.get("webhook-signature")),
          id: String(request.headers.get("webhook-id")),
          timestamp: String(request.headers.get("webhook-timestamp")),
          body: await copy.text(),
        });
        const recorder = recorders[url];
        return new HttpResponse(null, { status: recorder ? await recorder.handle(request) : 200 });
      }),
    );
  }
  const bucketWithSync = async (
    name: string,
    url: string,
  ): Promise<BucketAnswer & { pipeline_secret: string }> => {
    const res = await api("POST", "/v1/buckets", { name, pipeline_url: url });
    expect(res.status).toBe(201);
    const bucket = (await res.json()) as BucketAnswer & { pipeline_secret: string };
    audit.secret(bucket.pipeline_secret);
    const sync = await api("POST", `/v1/buckets/${bucket.id}/syncs`, { connection_id: "con_default" });
    expect(sync.status).toBe(201);
    return bucket;
  };
  const settle = async () => {
    await h.settleAll();
    await h.fake.settle();
    await h.settleAll();
  };
  return { api, seen, recorders, bucketWithSync, settle };
}

describe("per-bucket pipeline secrets", () => {
  it("bucket A's pipeline cannot verify bucket B's deliveries, and each verifies its own", async () => {
    const w = await world();
    const a = await w.bucketWithSync("a", URL_A);
    const b = await w.bucketWithSync("b", URL_B);
    expect(a.pipeline_secret).not.toBe(b.pipeline_secret);
    w.recorders[URL_A] = new PipelineRecorder(a.pipeline_secret);
    w.recorders[URL_B] = new PipelineRecorder(b.pipeline_secret);
    h.fake.createAsset({ mp4Support: "standard" });
    await w.settle();
    const toA = w.seen[URL_A] ?? [];
    const toB = w.seen[URL_B] ?? [];
    expect(toA.length).toBeGreaterThan(0);
    expect(toB.length).toBeGreaterThan(0);
    expect(w.recorders[URL_A]?.accepted.length).toBe(toA.length);
    expect(w.recorders[URL_B]?.accepted.length).toBe(toB.length);
    // Cross-bucket: neither secret verifies the other bucket's deliveries, nor does PIPELINE_SECRET.
    for (const d of toB) {
      const headers = { id: d.id, timestamp: d.timestamp, signature: d.signature };
      expect(verifyStandardWebhook(a.pipeline_secret, headers, d.body)).toBe(false);
      expect(verifyStandardWebhook(TEST_PIPELINE_SECRET, headers, d.body)).toBe(false);
    }
    for (const d of toA) {
      const headers = { id: d.id, timestamp: d.timestamp, signature: d.signature };
      expect(verifyStandardWebhook(b.pipeline_secret, headers, d.body)).toBe(false);
    }
  });

  it("a rotation signs with both secrets for its grace, then with the new one only, and wipes the old one", async () => {
    const w = await world();
    const a = await w.bucketWithSync("a", URL_A);
    const rotated = await w.api("POST", `/v1/buckets/${a.id}/rotate-secret`, { grace_seconds: 600 });
    expect(rotated.status).toBe(200);
    const after = (await rotated.json()) as BucketAnswer & { pipeline_secret: string };
    audit.secret(after.pipeline_secret);
    expect(after.pipeline_secret).not.toBe(a.pipeline_secret);
    expect(after.pipeline_secret_previous_hint).toBe(a.pipeline_secret_hint);
    expect(after.pipeline_secret_previous_until).toBe(new Date(h.clock.now() + 600_000).toISOString());

    h.fake.createAsset({ mp4Support: "standard" });
    await w.settle();
    const during = w.seen[URL_A] ?? [];
    expect(during.length).toBeGreaterThan(0);
    for (const d of during) {
      expect(d.signature.split(" ")).toHaveLength(2);
      const headers = {
        "webhook-id": d.id,
        "webhook-timestamp": d.timestamp,
        "webhook-signature": d.signature,
      };
      // The standardwebhooks library accepts either secret in the space-separated list.
      const nowSeconds = Number(d.timestamp);
      for (const secret of [a.pipeline_secret, after.pipeline_secret]) {
        const webhook = new Webhook(secret);
        // verify() checks the timestamp against the real clock: re-sign the check at the delivery's time.
        expect(d.signature.split(" ").includes(webhook.sign(d.id, new Date(nowSeconds * 1000), d.body))).toBe(
          true,
        );
        expect(
          verifyStandardWebhook(secret, { id: d.id, timestamp: d.timestamp, signature: d.signature }, d.body),
        ).toBe(true);
      }
      expect(headers["webhook-signature"]).toContain("v1,");
    }

    h.clock.advance(601_000);
    const count = during.length;
    h.fake.createAsset({ mp4Support: "standard" });
    await w.settle();
    const later = (w.seen[URL_A] ?? []).slice(count);
    expect(later.length).toBeGreaterThan(0);
    for (const d of later) {
      expect(d.signature.split(" ")).toHaveLength(1);
      const headers = { id: d.id, timestamp: d.timestamp, signature: d.signature };
      expect(verifyStandardWebhook(after.pipeline_secret, headers, d.body)).toBe(true);
      expect(verifyStandardWebhook(a.pipeline_secret, headers, d.body)).toBe(false);
    }
    const row = h.database.sqlite
      .prepare(
        "select pipeline_secret_previous, pipeline_secret_previous_until, secret_hints from buckets where id = ?",
      )
      .get(a.id) as Record<string, unknown>;
    expect(row).toMatchObject({ pipeline_secret_previous: null, pipeline_secret_previous_until: null });
    expect(JSON.parse(String(row.secret_hints))).not.toHaveProperty("pipeline_secret_previous");
    const view = (await (await w.api("GET", `/v1/buckets/${a.id}`)).json()) as BucketAnswer;
    expect(view).toMatchObject({ pipeline_secret_previous_hint: null, pipeline_secret_previous_until: null });
  });

  it("answers the secret once: every later answer, log line and database byte holds only its hint", async () => {
    const w = await world();
    const given = generatePipelineSecret();
    audit.secret(given);
    const created = await w.api("POST", "/v1/buckets", {
      name: "given",
      pipeline_url: URL_A,
      pipeline_secret: given,
    });
    const bucket = (await created.json()) as BucketAnswer;
    expect(bucket.pipeline_secret).toBe(given);
    expect(bucket.pipeline_secret_hint).toBe(`whsec_…${given.replace(/=+$/, "").slice(-4)}`);
    expect(bucket.pipeline_secret_hint).not.toContain(given.slice(6, 20));
    const generated = await w.bucketWithSync("generated", URL_B);
    const answers = [
      await (await w.api("GET", `/v1/buckets/${bucket.id}`)).text(),
      await (await w.api("GET", "/v1/buckets")).text(),
      await (await w.api("PATCH", `/v1/buckets/${bucket.id}`, { name: "renamed" })).text(),
    ];
    const bytes = h.database.sqlite.serialize().toString("latin1");
    for (const secret of [given, generated.pipeline_secret, TEST_PIPELINE_SECRET]) {
      const material = secret.replace(/^whsec_/, "");
      for (const answer of answers) expect(answer).not.toContain(material);
      expect(bytes).not.toContain(material);
      for (const line of h.logs) expect(line).not.toContain(material);
    }
  });

  it("refuses a pipeline URL without a secret, and any pipeline secret that is not whsec_ + 24–64 bytes", async () => {
    const w = await world();
    h.database.sqlite.prepare("update buckets set pipeline_secret = null where id = 'bkt_default'").run();
    const refused = await w.api("PATCH", "/v1/buckets/bkt_default", { pipeline_url: URL_A });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorAnswer).error.details?.[0]?.field).toBe("pipeline_secret");
    const given = generatePipelineSecret();
    audit.secret(given);
    expect(
      (await w.api("PATCH", "/v1/buckets/bkt_default", { pipeline_url: URL_A, pipeline_secret: given }))
        .status,
    ).toBe(200);
    const base64 = (n: number) => Buffer.alloc(n, 7).toString("base64");
    const invalid = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.integer({ min: 0, max: 23 }).map((n) => `whsec_${base64(n)}`),
      fc.integer({ min: 65, max: 120 }).map((n) => `whsec_${base64(n)}`),
      fc.integer({ min: 24, max: 64 }).map((n) => base64(n)),
      fc.integer({ min: 24, max: 64 }).map((n) => `whsec_${base64(n)}!`),
    );
    await fc.assert(
      fc.asyncProperty(invalid, fc.constantFrom("create", "patch", "rotate"), async (secret, route) => {
        const res =
          route === "create"
            ? await w.api("POST", "/v1/buckets", { name: "x", pipeline_secret: secret })
            : route === "patch"
              ? await w.api("PATCH", "/v1/buckets/bkt_default", { pipeline_secret: secret })
              : await w.api("POST", "/v1/buckets/bkt_default/rotate-secret", { pipeline_secret: secret });
        expect(res.status).toBe(400);
      }),
      { numRuns: 60 },
    );
    const valid = fc.integer({ min: 24, max: 64 }).map((n) => `whsec_${base64(n)}`);
    await fc.assert(
      fc.asyncProperty(valid, async (secret) => {
        const res = await w.api("POST", "/v1/buckets/bkt_default/rotate-secret", {
          pipeline_secret: secret,
          grace_seconds: 0,
        });
        expect(res.status).toBe(200);
      }),
      { numRuns: 10 },
    );
  });

  it("a bucket without a secret does not deliver unsigned: its delivery fails saying it needs one", async () => {
    const w = await world();
    h.database.sqlite.prepare("update buckets set pipeline_url = ?, pipeline_secret = null").run(URL_A);
    h.fake.createAsset({ mp4Support: "standard" });
    await w.settle();
    expect(w.seen[URL_A]).toEqual([]);
    const errors = h.database.sqlite
      .prepare("select last_error from jobs where type = 'deliver'")
      .all() as Array<{
      last_error: string | null;
    }>;
    expect(errors.some((e) => e.last_error?.includes("has no pipeline secret"))).toBe(true);
  });
});

describe("signature header", () => {
  it("verifies under exactly the secrets that signed it", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        (body, id, n) => {
          const secrets = Array.from({ length: n }, () => generatePipelineSecret());
          const other = generatePipelineSecret();
          const timestamp = new Date(1_767_225_600_000);
          const signature = signatureHeader(secrets, id, timestamp, body);
          const headers = { id, timestamp: String(timestamp.getTime() / 1000), signature };
          for (const secret of secrets) expect(verifyStandardWebhook(secret, headers, body)).toBe(true);
          expect(verifyStandardWebhook(other, headers, body)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
