/**
 * `POST /v1/jobs/{id}/retry` never answers 202 for work it will not do. For every job type in the
 * registry: a dead job of that type, retried, either really re-runs (the pipeline receives the
 * delivery) or is refused with 409 naming what to do instead, and doing that works.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { createJobRegistry } from "../../src/jobs/registry";
import { type AdminHarness, createAdminHarness, PIPELINE_URL } from "../helpers/admin-api";
import { network } from "../helpers/no-network";

let h: AdminHarness | null = null;
let storageDir: string | null = null;
afterEach(() => {
  h?.close();
  h = null;
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  storageDir = null;
});

async function settle(a: AdminHarness) {
  await a.settleAll();
  await a.fake.settle();
  await a.settleAll();
}

function pipelinePosts(): { count: number } {
  const seen = { count: 0 };
  network.use(
    http.post(PIPELINE_URL, () => {
      seen.count++;
      // Falls through to the harness's pipeline, which answers what the test set.
    }),
  );
  return seen;
}

function deadJob(a: AdminHarness, type: string) {
  return a.database.sqlite
    .prepare("select id, status from jobs where type = ? and status = 'dead'")
    .get(type) as { id: string; status: string } | undefined;
}

type Scenario = (a: AdminHarness) => Promise<void>;

/** The expected outcome of retrying a dead job, per type: a real re-run, or 409 and the object retry. */
const scenarios: Record<string, { env?: Record<string, string>; run: Scenario }> = {
  ingest: {
    run: async (a) => {
      let muxDown = true;
      network.use(
        http.get("https://api.mux.com/video/v1/assets/:id", () =>
          muxDown ? HttpResponse.json({ error: { type: "unauthorized" } }, { status: 401 }) : undefined,
        ),
      );
      const posts = pipelinePosts();
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      await settle(a);
      const job = deadJob(a, "ingest");
      expect(job).toBeDefined();
      muxDown = false;
      const before = posts.count;
      const retried = await a.api("POST", `/v1/jobs/${job?.id}/retry`);
      expect(retried.status).toBe(202);
      await settle(a);
      expect(posts.count).toBeGreaterThan(before);
      expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    },
  },
  reconcile: {
    run: async (a) => {
      // A reconciliation pass that died: refused, a new pass is the retry (checked on the row directly).
      a.database.sqlite
        .prepare(
          `insert into jobs (id, queue, type, idempotency_key, payload, status, attempts, max_attempts, available_at, rerun, created_at, updated_at)
           values ('job_rec', 'default', 'reconcile', 'reconcile:x', '{}', 'dead', 1, 1, 0, 0, 0, 0)`,
        )
        .run();
      const retried = await a.api("POST", "/v1/jobs/job_rec/retry");
      expect(retried.status).toBe(409);
      expect(await retried.text()).toContain("trigger a new pass");
    },
  },
  deliver: {
    env: { JOB_MAX_ATTEMPTS: "1" },
    run: async (a) => {
      a.pipelineAnswers(500);
      const posts = pipelinePosts();
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      await settle(a);
      const job = deadJob(a, "deliver");
      expect(job).toBeDefined();
      await expectObjectRetryWorks(a, job?.id ?? "", asset.id, posts);
    },
  },
  download: {
    env: { JOB_MAX_ATTEMPTS: "1" },
    run: async (a) => {
      let streamDown = true;
      network.use(
        http.get("https://stream.mux.com/*", () =>
          streamDown ? new HttpResponse(null, { status: 503 }) : undefined,
        ),
      );
      const posts = pipelinePosts();
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      await settle(a);
      const job = deadJob(a, "download");
      expect(job).toBeDefined();
      streamDown = false;
      await expectObjectRetryWorks(a, job?.id ?? "", asset.id, posts);
    },
  },
};

scenarios["create-rendition"] = {
  env: { CREATE_RENDITIONS: "highest", JOB_MAX_ATTEMPTS: "1" },
  run: async (a) => {
    let muxDown = true;
    network.use(
      http.post("https://api.mux.com/video/v1/assets/:id/static-renditions", () =>
        muxDown ? HttpResponse.json({ error: { type: "unavailable" } }, { status: 503 }) : undefined,
      ),
    );
    const posts = pipelinePosts();
    const asset = a.fake.createAsset({ mp4Support: "none" });
    await settle(a);
    const job = deadJob(a, "create-rendition");
    expect(job).toBeDefined();
    expect(a.objectOf(asset.id)).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
    muxDown = false;
    const retried = await a.api("POST", `/v1/jobs/${job?.id}/retry`);
    expect(retried.status).toBe(202);
    await settle(a);
    await settle(a);
    expect(a.fake.stats().renditions.creates).toEqual({ [`${asset.id}/highest`]: 1 });
    expect(posts.count).toBeGreaterThan(0);
    expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    // Answered now: a second retry of the same job would do nothing, so it is refused.
    a.database.sqlite.prepare("update jobs set status = 'dead' where id = ?").run(job?.id);
    expect((await a.api("POST", `/v1/jobs/${job?.id}/retry`)).status).toBe(409);
  },
};

scenarios["remove-renditions"] = {
  env: { CREATE_RENDITIONS: "highest", REMOVE_CREATED_RENDITIONS: "true", JOB_MAX_ATTEMPTS: "1" },
  run: async (a) => {
    let muxDown = true;
    network.use(
      http.delete("https://api.mux.com/video/v1/assets/:id/static-renditions/:rendition", () =>
        muxDown ? HttpResponse.json({ error: { type: "unavailable" } }, { status: 503 }) : undefined,
      ),
    );
    const asset = a.fake.createAsset({ mp4Support: "none" });
    await settle(a); // asked; Mux makes it
    await settle(a); // ready, stored, delivered: the removal fails
    const job = deadJob(a, "remove-renditions");
    expect(job).toBeDefined();
    expect(a.fake.stats().renditions.deletes).toEqual({});
    muxDown = false;
    const retried = await a.api("POST", `/v1/jobs/${job?.id}/retry`);
    expect(retried.status).toBe(202);
    await settle(a);
    expect(a.fake.stats().renditions.deletes).toEqual({ [`${asset.id}/highest`]: 1 });
    expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
  },
};

/** The job retry is refused with the object's retry route, and that route really does the work. */
async function expectObjectRetryWorks(
  a: AdminHarness,
  jobId: string,
  assetId: string,
  posts: { count: number },
) {
  const retried = await a.api("POST", `/v1/jobs/${jobId}/retry`);
  expect(retried.status).toBe(409);
  const route = `/v1/buckets/bkt_default/objects/${assetId}/retry`;
  expect(await retried.text()).toContain(`POST ${route}`);
  expect(
    deadJob(a, a.database.sqlite.prepare("select type from jobs where id = ?").pluck().get(jobId) as string),
  ).toBeDefined();
  a.pipelineAnswers(200);
  const before = posts.count;
  const objectRetry = await a.api("POST", route);
  expect(objectRetry.status).toBe(202);
  await settle(a);
  expect(posts.count).toBeGreaterThan(before);
  expect(a.objectOf(assetId)).toMatchObject({ state: "delivered" });
}

describe("POST /v1/jobs/{id}/retry", () => {
  it("covers every job type in the registry", async () => {
    const a = await createAdminHarness();
    h = a;
    expect(Object.keys(createJobRegistry(a.deps)).sort()).toEqual(Object.keys(scenarios).sort());
  });

  for (const [type, scenario] of Object.entries(scenarios)) {
    it(`a dead ${type} job: really re-run, or 409 naming the retry that works`, async () => {
      const env: Record<string, string> = { PIPELINE_URL, ...scenario.env };
      if (type === "download" || type === "remove-renditions") {
        storageDir = mkdtempSync(join(tmpdir(), "job-retry-"));
        env.STORAGE_DIR = storageDir;
      }
      h = await createAdminHarness(env);
      await scenario.run(h);
    });
  }
});
