/**
 * Objects through the admin API: the change feed (filters, cursor paging that stays complete
 * while objects change underneath), the object detail, retrying failed objects and dead jobs,
 * plus /openapi.json, /docs and /metrics.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ingestJob, ingestKey } from "../../src/jobs/ingest";
import {
  ADMIN_TOKEN,
  type AdminHarness,
  createAdminHarness,
  type ErrorAnswer,
  json,
  PIPELINE_URL,
} from "../helpers/admin-api";
import { TEST_PIPELINE_SECRET, TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { auditLogsAfterAll, LogAudit } from "../helpers/secret-log-audit";

const audit = new LogAudit();
audit.secret(ADMIN_TOKEN, TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET, TEST_PIPELINE_SECRET);

let h: AdminHarness;
afterEach(() => h?.close());

async function harness(env: Record<string, string> = {}) {
  h = await createAdminHarness(env);
  audit.watch(h.logs);
  return h;
}

type ObjectItem = { asset_id: string; state: string; reason: string | null };
type Page = { data: ObjectItem[]; next_cursor: string; has_more: boolean };

async function pass() {
  expect((await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger")).status).toBe(202);
  await h.runner.drain();
  h.clock.advance(1_000);
}

/** Re-evaluates one asset now, as a webhook would. */
async function ingestNow(assetId: string) {
  await h.deps.jobs.enqueue({
    type: ingestJob.type,
    key: ingestKey("syn_default", assetId),
    payload: { syncId: "syn_default", assetId, via: "trigger" },
  });
  await h.runner.drain();
  h.clock.advance(1_000);
}

async function page(query: string): Promise<Page> {
  const res = await h.api("GET", `/v1/buckets/bkt_default/objects${query}`);
  expect(res.status).toBe(200);
  return json<Page>(res);
}

describe("the object change feed", () => {
  it("pages every object once, in order of last change, and picks up changes made during the walk", async () => {
    await harness();
    const assets = Array.from({ length: 5 }, () =>
      h.fake.createAsset({ status: "ready", mp4Support: "standard" }),
    );
    await pass();
    const first = await page("?limit=2");
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);

    // An object already returned changes while the client is paging: it must come round again.
    const changed = first.data[0]?.asset_id ?? "";
    h.fake.deleteAsset(changed);
    await ingestNow(changed);

    const seen = [...first.data];
    let cursor = first.next_cursor;
    for (;;) {
      const next = await page(`?limit=2&cursor=${cursor}`);
      seen.push(...next.data);
      cursor = next.next_cursor;
      if (!next.has_more) break;
    }
    const ids = seen.map((o) => o.asset_id);
    expect(new Set(ids)).toEqual(new Set(assets.map((a) => a.id)));
    expect(ids.at(-1)).toBe(changed);
    expect(seen.at(-1)?.state).toBe("deleted");
    expect(ids.filter((id) => id === changed)).toHaveLength(2);

    // At the end the cursor stays put: polling it returns nothing, then exactly the next change.
    expect((await page(`?cursor=${cursor}`)).data).toEqual([]);
    const later = assets[3]?.id ?? "";
    h.fake.deleteAsset(later);
    await ingestNow(later);
    const tail = await page(`?cursor=${cursor}`);
    expect(tail.data.map((o) => o.asset_id)).toEqual([later]);
    expect(tail.has_more).toBe(false);
  });

  it("filters by state and reason, and names bad query values", async () => {
    await harness();
    h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    const unplayable = h.fake.createAsset({ status: "ready", playbackPolicies: [] });
    await pass();
    const skipped = await page("?state=skipped");
    expect(skipped.data.map((o) => o.asset_id)).toEqual([unplayable.id]);
    expect(skipped.data[0]?.reason).toBe("no_playback_id");
    expect((await page("?reason=no_playback_id")).data).toHaveLength(1);
    expect((await page("?state=ready")).data.every((o) => o.state === "ready")).toBe(true);
    expect((await page("?state=ready&reason=no_playback_id")).data).toEqual([]);

    const bad = await json<ErrorAnswer>(
      await h.api("GET", "/v1/buckets/bkt_default/objects?state=lost&limit=9999&cursor=zzz"),
    );
    expect(bad.error.code).toBe("VALIDATION");
    expect(bad.error.details?.map((d) => d.field).sort()).toEqual(["limit", "state"]);
    const badCursor = await json<ErrorAnswer>(
      await h.api("GET", "/v1/buckets/bkt_default/objects?cursor=zzz"),
    );
    expect(badCursor.error.details?.[0]?.field).toBe("cursor");
    expect((await h.api("GET", "/v1/buckets/bkt_nope/objects")).status).toBe(404);
  });
});

describe("object detail, retry and dead letters", () => {
  it("shows the history, rendition, deliveries and jobs; 404 for an unknown asset", async () => {
    await harness();
    await h.api("PATCH", "/v1/buckets/bkt_default", { pipeline_url: PIPELINE_URL });
    const asset = h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    await pass();
    const res = await h.api("GET", `/v1/buckets/bkt_default/objects/${asset.id}`);
    expect(res.status).toBe(200);
    const detail = await json<
      Record<string, unknown> & {
        history: ObjectItem[];
        deliveries: Array<Record<string, unknown>>;
        jobs: Array<Record<string, unknown>>;
      }
    >(res);
    expect(detail).toMatchObject({
      asset_id: asset.id,
      state: "delivered",
      rendition: { name: expect.stringMatching(/\.mp4$/) },
    });
    expect(detail.history.map((e) => e.state)).toEqual(["ready", "delivered"]);
    expect(detail.deliveries).toMatchObject([
      { type: "object.ready", status: "delivered", attempts: 1, last_status: 200 },
    ]);
    expect(detail.jobs.map((j) => j.type).sort()).toEqual(["deliver", "ingest"]);
    expect(JSON.stringify(detail.jobs)).not.toContain('"snapshot"');
    expect((await h.api("GET", "/v1/buckets/bkt_default/objects/nope")).status).toBe(404);
  });

  it("retries a failed object: 409 unless failed, then a fresh ingest delivers it", async () => {
    await harness({ JOB_MAX_ATTEMPTS: "1" });
    await h.api("PATCH", "/v1/buckets/bkt_default", { pipeline_url: PIPELINE_URL });
    const good = h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    h.pipelineAnswers(503);
    await pass();
    const failed = await json<Record<string, unknown>>(
      await h.api("GET", `/v1/buckets/bkt_default/objects/${good.id}`),
    );
    expect(failed).toMatchObject({ state: "failed", reason: "delivery_failed" });
    expect(String(failed.message)).toContain("503");

    const dead = await json<{
      data: Array<{ id: string; type: string; status: string; last_error: string }>;
    }>(await h.api("GET", "/v1/jobs?status=dead"));
    expect(dead.data).toMatchObject([
      { type: "deliver", status: "dead", last_error: expect.stringContaining("503") },
    ]);

    h.pipelineAnswers(200);
    const res = await h.api("POST", `/v1/buckets/bkt_default/objects/${good.id}/retry`);
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({
      asset_id: good.id,
      job_key: ingestKey("syn_default", good.id),
    });
    await h.runner.drain();
    const after = await json<{ state: string; deliveries: Array<{ status: string }> }>(
      await h.api("GET", `/v1/buckets/bkt_default/objects/${good.id}`),
    );
    expect(after.state).toBe("delivered");
    expect(after.deliveries.map((d) => d.status)).toEqual(["delivered", "failed"]);

    const again = await h.api("POST", `/v1/buckets/bkt_default/objects/${good.id}/retry`);
    expect(again.status).toBe(409);
    expect((await json<ErrorAnswer>(again)).error.message).toContain("is delivered");
    expect((await h.api("POST", "/v1/buckets/bkt_default/objects/nope/retry")).status).toBe(404);
  });

  it("refuses to revive a dead delivery by id (its version moved on: the object retry does it), and unknown ids", async () => {
    await harness({ JOB_MAX_ATTEMPTS: "1" });
    await h.api("PATCH", "/v1/buckets/bkt_default", { pipeline_url: PIPELINE_URL });
    h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    h.pipelineAnswers(500);
    await pass();
    const [job] = (
      await json<{ data: Array<{ id: string }> }>(await h.api("GET", "/v1/jobs?status=dead&type=deliver"))
    ).data;
    expect(job).toBeDefined();
    // Reviving a dead job of each type, and the 202 for ingest: test/integration/job-retry.test.ts.
    const refused = await h.api("POST", `/v1/jobs/${job?.id}/retry`);
    expect(refused.status).toBe(409);
    expect((await json<ErrorAnswer>(refused)).error.message).toContain("/objects/");
    expect((await h.api("POST", "/v1/jobs/job_nope/retry")).status).toBe(404);
    const bad = await json<ErrorAnswer>(await h.api("GET", "/v1/jobs?status=buried"));
    expect(bad.error.details?.[0]).toMatchObject({ field: "status" });
  });
});

describe("the API described and measured", () => {
  it("serves /openapi.json generated from the request schemas, and /docs without external scripts", async () => {
    await harness();
    const doc = await json<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    }>(await h.app.request("/openapi.json"));
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/v1/buckets",
      "/v1/buckets/{bucket_id}",
      "/v1/buckets/{bucket_id}/objects",
      "/v1/buckets/{bucket_id}/objects/{asset_id}",
      "/v1/buckets/{bucket_id}/objects/{asset_id}/create-mp4",
      "/v1/buckets/{bucket_id}/objects/{asset_id}/retry",
      "/v1/buckets/{bucket_id}/rotate-secret",
      "/v1/buckets/{bucket_id}/syncs",
      "/v1/buckets/{bucket_id}/syncs/{sync_id}",
      "/v1/buckets/{bucket_id}/syncs/{sync_id}/confirm-deletions",
      "/v1/buckets/{bucket_id}/syncs/{sync_id}/pause",
      "/v1/buckets/{bucket_id}/syncs/{sync_id}/resume",
      "/v1/buckets/{bucket_id}/syncs/{sync_id}/runs",
      "/v1/buckets/{bucket_id}/syncs/{sync_id}/trigger",
      "/v1/connections",
      "/v1/connections/{id}",
      "/v1/connections/{id}/test",
      "/v1/dead-letter-replays",
      "/v1/dead-letters",
      "/v1/dead-letters/{id}",
      "/v1/dead-letters/{id}/replay",
      "/v1/jobs",
      "/v1/jobs/{id}/retry",
    ]);
    const sync = doc.components.schemas.SyncCreate?.properties ?? {};
    // The bounds come from sync/settings.ts, the same schema that validates the request.
    expect(sync.polling_interval_seconds).toMatchObject({ minimum: 10, maximum: 604800 });
    expect(sync.sync_mode).toMatchObject({ enum: ["initial_only", "continuous"] });
    expect(doc.components.schemas.ConnectionCreate?.properties.access_token_id).toMatchObject({
      format: "uuid",
    });
    // What the service sends, described as an OpenAPI 3.1 webhook from the payload's one schema.
    type Described = {
      content: Record<string, { schema: { properties: { data: { required: string[] } } } }>;
    };
    const { webhooks } = doc as unknown as { webhooks: Record<string, { post: { requestBody: Described } }> };
    const payload = webhooks["pipeline-delivery"]?.post.requestBody.content["application/json"]?.schema;
    expect(payload?.properties.data.required).toEqual(
      expect.arrayContaining(["tracks", "images", "rendition"]),
    );

    const docs = await h.app.request("/docs");
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain("/v1/buckets/{bucket_id}/syncs/{sync_id}/trigger");
    expect(html).toContain("curl -sS -X POST");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)/);
  });

  it("exposes database gauges on /metrics by default", async () => {
    await harness();
    h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    await pass();
    const res = await h.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('mux_ingest_objects{state="ready"} 1');
    expect(text).toMatch(/mux_ingest_runs\{kind="initial",status="succeeded"\} 1/);
    expect(text).toContain('mux_ingest_queue_jobs{type="ingest",status="done"} 1');
  });
});

auditLogsAfterAll(audit, 10);
