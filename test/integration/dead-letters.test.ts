/**
 * `/v1/dead-letters`: every job type in the registry, dead, is listed with its object, sync and
 * bucket, and replayed so that the work really runs again (a dead delivery replayed reaches the
 * pipeline); filters, cursor paging, bulk replay by filter (bounded, counted), purging, and the
 * answers for what does not exist or cannot run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { createJobRegistry } from "../../src/jobs/registry";
import {
  type AdminHarness,
  createAdminHarness,
  type ErrorAnswer,
  json,
  PIPELINE_URL,
} from "../helpers/admin-api";
import { network } from "../helpers/no-network";

let h: AdminHarness | null = null;
let storageDir: string | null = null;
afterEach(() => {
  h?.close();
  h = null;
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  storageDir = null;
});

type Letter = {
  id: string;
  type: string;
  last_error: string | null;
  sync_id: string | null;
  bucket_id: string | null;
  object: { asset_id: string; state: string; reason: string | null } | null;
};
type Page = { data: Letter[]; next_cursor: string | null; has_more: boolean };

async function settle(a: AdminHarness) {
  await a.settleAll();
  await a.fake.settle();
  await a.settleAll();
}

/** Counts what reaches the pipeline (falling through to the harness's answer). */
function pipelinePosts(): {
  count: number;
  bodies: Array<{ type: string; data: { source: { asset_id: string } } }>;
} {
  const seen = { count: 0, bodies: [] as Array<{ type: string; data: { source: { asset_id: string } } }> };
  network.use(
    http.post(PIPELINE_URL, async ({ request }) => {
      seen.count++;
      seen.bodies.push((await request.clone().json()) as (typeof seen.bodies)[number]);
    }),
  );
  return seen;
}

async function letters(a: AdminHarness, query = ""): Promise<Page> {
  const res = await a.api("GET", `/v1/dead-letters${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Page>(res);
}

async function replay(a: AdminHarness, id: string) {
  const res = await a.api("POST", `/v1/dead-letters/${id}/replay`);
  expect(res.status, await res.clone().text()).toBe(202);
  return json<{ action: string; run_id: string | null }>(res);
}

async function harness(env: Record<string, string> = {}) {
  h = await createAdminHarness({ PIPELINE_URL, ...env });
  return h;
}

const scenarios: Record<
  string,
  { env?: Record<string, string>; storage?: boolean; run: (a: AdminHarness) => Promise<void> }
> = {
  ingest: {
    run: async (a) => {
      let muxDown = true;
      network.use(
        http.get("https://api.mux.com/video/v1/assets/:id", () =>
          muxDown ? HttpResponse.json({ error: { type: "unauthorized" } }, { status: 401 }) : undefined,
        ),
      );
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      await settle(a);
      const [letter] = (await letters(a, "?type=ingest")).data;
      expect(letter).toMatchObject({ type: "ingest", sync_id: "syn_default", bucket_id: "bkt_default" });
      muxDown = false;
      const posts = pipelinePosts();
      expect(await replay(a, letter?.id ?? "")).toMatchObject({ action: "revived" });
      await settle(a);
      expect(posts.bodies.map((b) => b.data.source.asset_id)).toContain(asset.id);
      expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    },
  },
  deliver: {
    env: { JOB_MAX_ATTEMPTS: "1" },
    run: async (a) => {
      a.pipelineAnswers(503);
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      await settle(a);
      const [letter] = (await letters(a)).data;
      expect(letter).toMatchObject({
        type: "deliver",
        bucket_id: "bkt_default",
        sync_id: "syn_default",
        last_error: expect.stringContaining("503"),
        object: { asset_id: asset.id, state: "failed", reason: "delivery_failed" },
      });
      a.pipelineAnswers(200);
      const posts = pipelinePosts();
      expect(await replay(a, letter?.id ?? "")).toMatchObject({ action: "object_retry" });
      await settle(a);
      expect(posts.count).toBeGreaterThan(0);
      expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
      expect((await letters(a)).data).toEqual([]);
    },
  },
  download: {
    env: { JOB_MAX_ATTEMPTS: "1" },
    storage: true,
    run: async (a) => {
      let streamDown = true;
      network.use(
        http.get("https://stream.mux.com/*", () =>
          streamDown ? new HttpResponse(null, { status: 503 }) : undefined,
        ),
      );
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      await settle(a);
      const [letter] = (await letters(a, "?type=download")).data;
      expect(letter?.object).toMatchObject({
        asset_id: asset.id,
        state: "failed",
        reason: "download_failed",
      });
      streamDown = false;
      const posts = pipelinePosts();
      expect(await replay(a, letter?.id ?? "")).toMatchObject({ action: "object_retry" });
      await settle(a);
      expect(posts.count).toBeGreaterThan(0);
      expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
      expect((await letters(a)).data).toEqual([]);
    },
  },
  "create-rendition": {
    env: { CREATE_RENDITIONS: "highest", JOB_MAX_ATTEMPTS: "1" },
    run: async (a) => {
      let muxDown = true;
      network.use(
        http.post("https://api.mux.com/video/v1/assets/:id/static-renditions", () =>
          muxDown ? HttpResponse.json({ error: { type: "unavailable" } }, { status: 503 }) : undefined,
        ),
      );
      const asset = a.fake.createAsset({ mp4Support: "none" });
      await settle(a);
      const [letter] = (await letters(a, "?type=create-rendition")).data;
      expect(letter).toMatchObject({ type: "create-rendition", last_error: expect.stringContaining("503") });
      expect(a.objectOf(asset.id)).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
      muxDown = false;
      const posts = pipelinePosts();
      expect(await replay(a, letter?.id ?? "")).toMatchObject({ action: "revived" });
      await settle(a);
      await settle(a);
      expect(a.fake.stats().renditions.creates).toEqual({ [`${asset.id}/highest`]: 1 });
      expect(posts.bodies.map((b) => b.data.source.asset_id)).toContain(asset.id);
      expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
      expect((await letters(a)).data).toEqual([]);
    },
  },
  "remove-renditions": {
    env: { CREATE_RENDITIONS: "highest", REMOVE_CREATED_RENDITIONS: "true", JOB_MAX_ATTEMPTS: "1" },
    storage: true,
    run: async (a) => {
      let muxDown = true;
      network.use(
        http.delete("https://api.mux.com/video/v1/assets/:id/static-renditions/:rendition", () =>
          muxDown ? HttpResponse.json({ error: { type: "unavailable" } }, { status: 503 }) : undefined,
        ),
      );
      const asset = a.fake.createAsset({ mp4Support: "none" });
      await settle(a);
      await settle(a);
      const [letter] = (await letters(a, "?type=remove-renditions")).data;
      expect(letter?.object).toMatchObject({ asset_id: asset.id, state: "delivered" });
      muxDown = false;
      expect(await replay(a, letter?.id ?? "")).toMatchObject({ action: "revived" });
      await settle(a);
      expect(a.fake.stats().renditions.deletes).toEqual({ [`${asset.id}/highest`]: 1 });
      expect((await letters(a)).data).toEqual([]);
    },
  },
  reconcile: {
    run: async (a) => {
      // A pass that died (its run is failed already): the replay is a new pass of its sync.
      a.database.sqlite
        .prepare(
          `insert into jobs (id, queue, type, idempotency_key, payload, status, attempts, max_attempts, available_at, rerun, created_at, updated_at)
           values ('job_rec', 'default', 'reconcile', 'reconcile:syn_default', '{"syncId":"syn_default","runId":"run_old"}', 'dead', 3, 3, 0, 0, 0, 0)`,
        )
        .run();
      const asset = a.fake.createAsset({ mp4Support: "standard" });
      const [letter] = (await letters(a, "?sync_id=syn_default")).data;
      expect(letter).toMatchObject({ id: "job_rec", bucket_id: "bkt_default", object: null });
      const replayed = await replay(a, "job_rec");
      expect(replayed).toMatchObject({ action: "new_pass", run_id: expect.stringMatching(/^run_/) });
      await settle(a);
      expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
      expect((await letters(a)).data).toEqual([]);
    },
  },
};

describe("replaying a dead letter runs the work again", () => {
  it("covers every job type in the registry", async () => {
    const a = await harness();
    expect(Object.keys(createJobRegistry(a.deps)).sort()).toEqual(Object.keys(scenarios).sort());
  });

  for (const [type, scenario] of Object.entries(scenarios)) {
    it(`a dead ${type} job`, async () => {
      const env = { ...scenario.env };
      if (scenario.storage) {
        storageDir = mkdtempSync(join(tmpdir(), "dead-letters-"));
        Object.assign(env, { STORAGE_DIR: storageDir });
      }
      await scenario.run(await harness(env));
    });
  }

  it("a departure whose delivery died: the object stays deleted, the replay tells the pipeline", async () => {
    const a = await harness({ JOB_MAX_ATTEMPTS: "1" });
    const asset = a.fake.createAsset({ mp4Support: "standard" });
    await settle(a);
    expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    a.pipelineAnswers(500);
    a.fake.deleteAsset(asset.id);
    await settle(a);
    const [letter] = (await letters(a, "?type=deliver")).data;
    expect(letter?.object).toMatchObject({ state: "deleted" });
    a.pipelineAnswers(200);
    const posts = pipelinePosts();
    expect(await replay(a, letter?.id ?? "")).toMatchObject({ action: "revived" });
    await settle(a);
    expect(posts.bodies.map((b) => b.type)).toEqual(["object.deleted"]);
    expect((await letters(a)).data).toEqual([]);
  });
});

describe("listing, filtering, bulk replay and purging", () => {
  async function threeDeadDeliveries() {
    const a = await harness({ JOB_MAX_ATTEMPTS: "1" });
    a.pipelineAnswers(503);
    const assets = [0, 1, 2].map(() => a.fake.createAsset({ mp4Support: "standard" }).id);
    await settle(a);
    expect((await letters(a)).data).toHaveLength(3);
    return { a, assets };
  }

  it("filters by type, bucket, sync and error text, and pages with the cursor", async () => {
    const { a } = await threeDeadDeliveries();
    expect((await letters(a, "?type=ingest")).data).toEqual([]);
    expect((await letters(a, "?bucket_id=bkt_other")).data).toEqual([]);
    expect((await letters(a, "?sync_id=syn_default&error=HTTP%20503")).data).toHaveLength(3);
    expect((await letters(a, "?error=http%20503")).data).toHaveLength(3);
    expect((await letters(a, "?error=timeout")).data).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await letters(a, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.data.map((l) => l.id));
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);
    expect(seen).toHaveLength(3);
  });

  it("bulk-replays by filter, bounded per call, counting what it replayed", async () => {
    const { a, assets } = await threeDeadDeliveries();
    a.pipelineAnswers(200);
    const first = await a.api("POST", "/v1/dead-letter-replays", { type: "deliver", limit: 2 });
    expect(first.status).toBe(202);
    const answer = await json<{ replayed: number; has_more: boolean; next_cursor: string | null }>(first);
    expect(answer).toMatchObject({ replayed: 2, has_more: true });
    const rest = await json<{ replayed: number; has_more: boolean }>(
      await a.api("POST", "/v1/dead-letter-replays", { type: "deliver", cursor: answer.next_cursor }),
    );
    expect(rest).toMatchObject({ replayed: 1, has_more: false });
    await settle(a);
    for (const asset of assets) expect(a.objectOf(asset)).toMatchObject({ state: "delivered" });
    const none = await json<{ replayed: number }>(await a.api("POST", "/v1/dead-letter-replays", {}));
    expect(none.replayed).toBe(0);
    const bad = await a.api("POST", "/v1/dead-letter-replays", { limit: 1000, typo: 1 });
    expect(bad.status).toBe(400);
  });

  it("purges one (the object keeps its state), and answers 404 for what is not a dead letter", async () => {
    const { a, assets } = await threeDeadDeliveries();
    const [letter] = (await letters(a)).data;
    const purged = await a.api("DELETE", `/v1/dead-letters/${letter?.id}`);
    expect(purged.status).toBe(200);
    expect(await json(purged)).toEqual({ id: letter?.id, deleted: true });
    expect((await letters(a)).data).toHaveLength(2);
    expect(assets.map((id) => a.objectOf(id)?.state)).toEqual(["failed", "failed", "failed"]);
    expect((await a.api("DELETE", `/v1/dead-letters/${letter?.id}`)).status).toBe(404);
    expect((await a.api("POST", `/v1/dead-letters/${letter?.id}/replay`)).status).toBe(404);
    expect((await a.api("POST", "/v1/dead-letters/job_nope/replay")).status).toBe(404);
  });

  it("refuses a replay that cannot run (paused sync) with 409, leaving the letter", async () => {
    const { a } = await threeDeadDeliveries();
    expect((await a.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/pause")).status).toBe(200);
    const [letter] = (await letters(a)).data;
    const refused = await a.api("POST", `/v1/dead-letters/${letter?.id}/replay`);
    expect(refused.status).toBe(409);
    expect((await json<ErrorAnswer>(refused)).error.message).toContain("paused");
    expect((await letters(a)).data).toHaveLength(3);
  });

  it("answers any query string with 200 or a 400 naming the field, never a 5xx", async () => {
    const a = await harness();
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom("", "0", "-1", "zzz", "W10", "%00"),
    );
    const key = fc.constantFrom("type", "bucket_id", "sync_id", "error", "cursor", "limit", "other");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 4 }), async (pairs) => {
        const res = await a.api("GET", `/v1/dead-letters?${new URLSearchParams(pairs)}`);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect((await json<ErrorAnswer>(res)).error.code).toBe("VALIDATION");
      }),
      { numRuns: 150 },
    );
  });
});
