/**
 * Buckets and syncs through the admin API: create/list/get/patch/delete, validation with the
 * shared sync schemas, and what pause, resume and trigger do to passes and ingest.
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

async function harness() {
  h = await createAdminHarness();
  audit.watch(h.logs);
  return h;
}

type Sync = {
  id: string;
  status: string;
  last_run: { id: string; kind: string; status: string } | null;
} & Record<string, unknown>;

/** The default sync's first pass (the harness starts no poller): afterwards passes are incremental. */
async function firstPass() {
  h.fake.createAsset({ status: "ready", mp4Support: "standard" });
  expect((await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger")).status).toBe(202);
  await h.runner.drain();
  // Runs are listed newest first; the manual clock would otherwise give the next one the same start.
  h.clock.advance(1_000);
}

describe("buckets", () => {
  it("create (201), list, get with object counts, patch, 404s, delete refused while syncs feed it", async () => {
    await harness();
    const res = await h.api("POST", "/v1/buckets", { name: "clips", pipeline_url: PIPELINE_URL });
    expect(res.status).toBe(201);
    const { pipeline_secret, ...bucket } = await json<{ id: string; pipeline_secret: string }>(res);
    expect(bucket).toMatchObject({
      id: expect.stringMatching(/^bkt_/),
      name: "clips",
      pipeline_url: PIPELINE_URL,
      pipeline_secret_hint: `whsec_…${pipeline_secret.replace(/=+$/, "").slice(-4)}`,
      sync_ids: [],
      objects: { total: 0, by_state: {} },
    });
    // The creation answer is the only one that carries the secret.
    expect(await json(await h.api("GET", `/v1/buckets/${bucket.id}`))).toEqual(bucket);
    const list = await json<{ data: Array<{ id: string }> }>(await h.api("GET", "/v1/buckets"));
    expect(list.data.map((b) => b.id)).toEqual(["bkt_default", bucket.id]);

    const patched = await json(
      await h.api("PATCH", `/v1/buckets/${bucket.id}`, { name: "renamed", pipeline_url: null }),
    );
    expect(patched).toMatchObject({ name: "renamed", pipeline_url: null });

    const bad = await json<ErrorAnswer>(
      await h.api("POST", "/v1/buckets", { name: 3, pipeline_url: "ftp://x" }),
    );
    expect(bad.error.details).toEqual([
      { field: "name", message: "must be a string" },
      { field: "pipeline_url", message: "must be an http(s) URL" },
    ]);
    expect((await h.api("GET", "/v1/buckets/bkt_nope")).status).toBe(404);
    expect((await h.api("PATCH", "/v1/buckets/bkt_nope", { name: "x" })).status).toBe(404);
    expect((await h.api("DELETE", "/v1/buckets/bkt_nope")).status).toBe(404);

    expect((await h.api("DELETE", "/v1/buckets/bkt_default")).status).toBe(409);
    expect((await h.api("DELETE", `/v1/buckets/${bucket.id}`)).status).toBe(200);
    expect((await h.api("GET", `/v1/buckets/${bucket.id}`)).status).toBe(404);
  });

  it("force-deletes a bucket with its syncs, objects, history and jobs", async () => {
    await harness();
    h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    await firstPass();
    expect(h.objectOf(h.fake.listAssets()[0]?.id ?? "")).toBeDefined();
    const res = await h.api("DELETE", "/v1/buckets/bkt_default?force=true");
    expect(res.status).toBe(200);
    const count = (sql: string) => (h.database.sqlite.prepare(sql).get() as { n: number }).n;
    expect(count("select count(*) as n from objects")).toBe(0);
    expect(count("select count(*) as n from object_history")).toBe(0);
    expect(count("select count(*) as n from syncs")).toBe(0);
    expect(count("select count(*) as n from runs")).toBe(0);
    expect(count("select count(*) as n from jobs where status != 'running'")).toBe(0);
  });
});

describe("syncs", () => {
  it("creates a sync (201) whose initial pass is queued and then ingests the library", async () => {
    await harness();
    const assets = [
      h.fake.createAsset({ status: "ready", mp4Support: "standard" }),
      h.fake.createAsset({ status: "ready", mp4Support: "standard" }),
    ];
    const bucket = await json<{ id: string }>(await h.api("POST", "/v1/buckets", { name: "b" }));
    const res = await h.api("POST", `/v1/buckets/${bucket.id}/syncs`, {
      connection_id: "con_default",
      sync_mode: "initial_only",
      polling_interval_seconds: 60,
      file_filters: { min_duration_seconds: 1 },
      rendition_preference: ["medium", "low"],
    });
    expect(res.status).toBe(201);
    const sync = await json<Sync>(res);
    expect(sync).toMatchObject({
      id: expect.stringMatching(/^syn_/),
      bucket_id: bucket.id,
      connection_id: "con_default",
      source_path: "mux://",
      sync_mode: "initial_only",
      polling_interval_seconds: 60,
      file_filters: { min_duration_seconds: 1 },
      rendition_preference: ["medium.mp4", "low.mp4"],
      create_renditions: [],
      remove_created_renditions: false,
      wait_for: [],
      wait_for_grace_seconds: 3600,
      status: "active",
      last_run: { kind: "initial", status: "queued" },
    });
    await h.runner.drain();
    const after = await json<Sync>(await h.api("GET", `/v1/buckets/${bucket.id}/syncs/${sync.id}`));
    expect(after.status).toBe("completed");
    expect(after.last_run).toMatchObject({
      id: sync.last_run?.id,
      status: "succeeded",
      assets_seen: 2,
      enqueued: 2,
    });
    const runs = await json<{ data: Array<{ id: string }> }>(
      await h.api("GET", `/v1/buckets/${bucket.id}/syncs/${sync.id}/runs`),
    );
    expect(runs.data.map((r) => r.id)).toEqual([sync.last_run?.id]);
    const b = await json<{ objects: { total: number } }>(await h.api("GET", `/v1/buckets/${bucket.id}`));
    expect(b.objects.total).toBe(assets.length);
    const list = await json<{ data: Sync[] }>(await h.api("GET", `/v1/buckets/${bucket.id}/syncs`));
    expect(list.data.map((s) => s.id)).toEqual([sync.id]);
  });

  it("keeps create_renditions, remove_created_renditions, wait_for and its grace, and refuses impossible lists", async () => {
    await harness();
    const created = await json<Sync>(
      await h.api("POST", "/v1/buckets/bkt_default/syncs", {
        connection_id: "con_default",
        create_renditions: ["720p", "audio-only"],
        wait_for: ["captions"],
        wait_for_grace_seconds: 600,
      }),
    );
    expect(created).toMatchObject({
      create_renditions: ["720p", "audio-only"],
      remove_created_renditions: false,
      wait_for: ["captions"],
      wait_for_grace_seconds: 600,
    });
    const patched = await json<Sync>(
      await h.api("PATCH", `/v1/buckets/bkt_default/syncs/${created.id}`, { create_renditions: ["highest"] }),
    );
    expect(patched).toMatchObject({ create_renditions: ["highest"], wait_for: ["captions"] });

    const refused = await h.api("POST", "/v1/buckets/bkt_default/syncs", {
      connection_id: "con_default",
      create_renditions: ["highest", "720p", "720p"],
      wait_for: ["subtitles"],
      wait_for_grace_seconds: -1,
    });
    expect(refused.status).toBe(400);
    const messages = ((await json<ErrorAnswer>(refused)).error.details ?? []).map(
      (d) => `${d.field}: ${d.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        "create_renditions: must not name a resolution twice",
        expect.stringContaining('create_renditions: must not mix "highest"'),
        expect.stringContaining('wait_for[0]: must be "captions"'),
        expect.stringContaining("wait_for_grace_seconds: must be at least 0"),
      ]),
    );
  });

  it("names each bad setting in a 400, with the shared schemas' words", async () => {
    await harness();
    const res = await h.api("POST", "/v1/buckets/bkt_default/syncs", {
      source_path: "s3://bucket",
      sync_mode: "sometimes",
      polling_interval_seconds: 5,
      file_filters: { metadata_filters: [{ field: "duration", operator: "gt", value: "long" }] },
      rendition_preference: ["tiny"],
    });
    expect(res.status).toBe(400);
    const body = await json<ErrorAnswer>(res);
    const fields = Object.fromEntries((body.error.details ?? []).map((d) => [d.field, d.message]));
    expect(fields).toMatchObject({
      connection_id: "is required",
      source_path: expect.stringContaining('must be "mux://"'),
      sync_mode: 'must be "initial_only" or "continuous"',
      polling_interval_seconds: expect.stringContaining("at least 10 seconds"),
      "file_filters.metadata_filters[0].value": expect.stringContaining(
        'must be a number for operator "gt" on "duration"',
      ),
      "rendition_preference[0]": expect.stringContaining("must be one of"),
    });
    const unknownConnection = await json<ErrorAnswer>(
      await h.api("POST", "/v1/buckets/bkt_default/syncs", { connection_id: "con_nope" }),
    );
    expect(unknownConnection.error).toMatchObject({
      code: "VALIDATION",
      details: [{ field: "connection_id" }],
    });
    expect((await h.api("POST", "/v1/buckets/bkt_nope/syncs", { connection_id: "con_default" })).status).toBe(
      404,
    );
    const patch = await json<ErrorAnswer>(
      await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", { polling_interval_seconds: 1.5 }),
    );
    expect(patch.error.details?.[0]).toMatchObject({ field: "polling_interval_seconds" });
  });

  it("patch changes settings; a selection change queues a full pass", async () => {
    await harness();
    await firstPass();
    const res = await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      polling_interval_seconds: 900,
      file_filters: { metadata_filters: [{ field: "meta.title", operator: "contains", value: "keep" }] },
    });
    expect(res.status).toBe(200);
    const sync = await json<Sync>(res);
    expect(sync).toMatchObject({
      polling_interval_seconds: 900,
      last_run: { kind: "full", status: "queued" },
    });
    const same = await json<Sync>(
      await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", { polling_interval_seconds: 600 }),
    );
    expect(same.last_run?.id).toBe(sync.last_run?.id);
  });

  it("pause stops ingest and passes; resume queues a full pass that catches up", async () => {
    await harness();
    await firstPass();
    const paused = await json<Sync>(await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/pause"));
    expect(paused).toMatchObject({ status: "paused", status_reason: "Paused through the admin API" });

    const asset = h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    // What a webhook for this asset enqueues; the paused sync's job must step aside.
    await h.deps.jobs.enqueue({
      type: ingestJob.type,
      key: ingestKey("syn_default", asset.id),
      payload: { syncId: "syn_default", assetId: asset.id, via: "webhook" },
    });
    await h.runner.drain();
    expect(h.objectOf(asset.id)).toBeUndefined();
    const trigger = await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger");
    expect(trigger.status).toBe(409);
    expect((await json<ErrorAnswer>(trigger)).error.message).toContain("paused");

    const resumed = await json<Sync & { run_id: string }>(
      await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/resume"),
    );
    expect(resumed).toMatchObject({
      status: "active",
      status_reason: null,
      run_id: expect.stringMatching(/^run_/),
    });
    expect(resumed.last_run).toMatchObject({ id: resumed.run_id, kind: "full", status: "queued" });
    await h.runner.drain();
    expect(h.objectOf(asset.id)?.state).toBe("ready");
    const run = await json<{ data: Array<Record<string, unknown>> }>(
      await h.api("GET", "/v1/buckets/bkt_default/syncs/syn_default/runs?limit=1"),
    );
    expect(run.data[0]).toMatchObject({ id: resumed.run_id, status: "succeeded", repaired: 1 });
  });

  it("trigger answers 202 {run_id}; a second trigger while one is queued is 409; runs lists both passes", async () => {
    await harness();
    await firstPass();
    const first = await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger");
    expect(first.status).toBe(202);
    const { run_id } = await json<{ run_id: string }>(first);
    expect(run_id).toMatch(/^run_/);
    expect((await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger")).status).toBe(409);
    await h.runner.drain();
    const runs = await json<{ data: Array<{ id: string; kind: string; status: string }> }>(
      await h.api("GET", "/v1/buckets/bkt_default/syncs/syn_default/runs"),
    );
    expect(runs.data[0]).toMatchObject({ id: run_id, kind: "triggered", status: "succeeded" });
    expect(runs.data).toHaveLength(2);
    const badLimit = await json<ErrorAnswer>(
      await h.api("GET", "/v1/buckets/bkt_default/syncs/syn_default/runs?limit=0"),
    );
    expect(badLimit.error.details?.[0]).toMatchObject({ field: "limit" });
  });

  it("deletes a sync with its runs; the bucket's objects stay; unknown ids are 404", async () => {
    await harness();
    const asset = h.fake.createAsset({ status: "ready", mp4Support: "standard" });
    await firstPass();
    expect(h.objectOf(asset.id)).toBeDefined();
    for (const path of ["/v1/buckets/bkt_default/syncs/syn_nope", "/v1/buckets/bkt_nope/syncs/syn_default"]) {
      expect((await h.api("GET", path)).status).toBe(404);
      expect((await h.api("POST", `${path}/pause`)).status).toBe(404);
      expect((await h.api("POST", `${path}/resume`)).status).toBe(404);
      expect((await h.api("POST", `${path}/trigger`)).status).toBe(404);
      expect((await h.api("GET", `${path}/runs`)).status).toBe(404);
    }
    expect((await h.api("DELETE", "/v1/buckets/bkt_default/syncs/syn_default")).status).toBe(200);
    expect((await h.api("GET", "/v1/buckets/bkt_default/syncs/syn_default")).status).toBe(404);
    expect(h.objectOf(asset.id)).toBeDefined();
    expect((h.database.sqlite.prepare("select count(*) as n from runs").get() as { n: number }).n).toBe(0);
  });
});

auditLogsAfterAll(audit, 10);
