/**
 * Every statement on the paths that run per request or per job, checked by its query plan: the
 * statements are recorded as the service executes them (the better-sqlite3 handle's `prepare` is
 * wrapped), then `EXPLAIN QUERY PLAN` runs on each. At a million objects and ten million
 * webhooks, a full scan of a growing table, a sort of every match to keep a page, or a count per
 * page view blocks the event loop for longer than any request may; a test's ten rows never show
 * it in time, so the plan is what is asserted.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countActivityStatement } from "../../src/db/activity";
import { openNodeDatabase } from "../../src/db/node";
import { OBJECT_STATES, SKIP_REASONS } from "../../src/db/schema";
import { createPrometheusMetrics } from "../../src/metrics/prometheus";
import { readActivity } from "../../src/resources/activity";
import {
  listDeadLetters,
  purgeDeadLetter,
  replayDeadLetter,
  replayDeadLetters,
} from "../../src/resources/dead-letters";
import { encodeFeedCursor } from "../../src/resources/feed-cursor";
import { browseObjects, METADATA_SEARCH_INDEXES, SEARCH_FIELDS } from "../../src/resources/object-browser";
import { readMuxRenditions } from "../../src/resources/object-in-mux";
import { createMp4Now } from "../../src/resources/object-mp4";
import { redeliverObject } from "../../src/resources/object-redeliver";
import { readObjectStory } from "../../src/resources/object-story";
import { readOverview } from "../../src/resources/overview";
import { pageRuns } from "../../src/resources/sync-runs";
import { WEBHOOK_RACE_MS } from "../../src/sync/run-record";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";
import { judgePlan, type PlanProblem, planOf, planProblems } from "../helpers/query-plan";
import { type Executed, recordStatements, type StatementRecorder } from "../helpers/statement-recorder";

let h: PipelineWorld;
let recorder: StatementRecorder;
let assets: string[] = [];

// A fresh world per test: the network's handlers (the fake Mux, the pipeline) last one test.
beforeEach(async () => {
  assets = [];
  const database = openNodeDatabase(":memory:");
  recorder = recordStatements(database.sqlite);
  // Prometheus metrics, as `serve` builds them: its scrape reads more than the default adapter's.
  h = await createPipelineWorld({ database, metrics: createPrometheusMetrics });
  // A library with history: objects delivered, updated, skipped, deleted; runs; deliveries.
  for (let i = 0; i < 6; i++) assets.push(h.fake.createAsset({ mp4Support: "standard" }).id);
  assets.push(h.fake.createAsset({ playbackPolicies: ["drm"] }).id);
  await h.settle();
  h.fake.updateAsset(assets[0] ?? "", { meta: { title: "Edited" } });
  await h.settle();
  await h.pass("full");
});

afterEach(() => h?.close());

const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Sorts accepted, each with why its input stays small. Nothing else is: a new entry here needs
 * the same argument.
 */
const BOUNDED_SORTS = [
  {
    // recheckWaiting (src/jobs/reconcile-checks.ts): sorts a sync's objects in the two waiting
    // states (transient: the static-rendition grace period, and for objects held by wait_for its
    // own grace, moves them on), oldest check first.
    sql: `"objects"."state" in (?, ?) and ("objects"."last_seen_at" is null or "objects"."last_seen_at" < ?)) order by COALESCE("objects"."last_seen_at", 0) asc limit ?`,
  },
];

const accepted = (p: PlanProblem) =>
  p.problem.startsWith("sorts") && BOUNDED_SORTS.some((sort) => p.sql.includes(sort.sql));

function problemsOf(executed: Executed[]): string {
  return planProblems(h.database.sqlite, executed)
    .filter((p) => !accepted(p))
    .map((p: PlanProblem) => `${p.problem}\n  ${p.sql}\n  plan: ${p.plan.join(" | ")}`)
    .join("\n");
}

async function expectFlat(path: () => Promise<unknown>): Promise<Executed[]> {
  const executed = await recorder.capture(path);
  expect(executed.length).toBeGreaterThan(0);
  expect(problemsOf(executed)).toBe("");
  return executed;
}

describe("the judge", () => {
  it("fails a full scan, a sort of every match under a LIMIT, and a count over a growing table", () => {
    const sqlite = h.database.sqlite;
    const bad: Executed[] = [
      { sql: `select * from "objects" where "message" = ?`, params: ["x"] },
      { sql: `select * from "webhook_events" "w" where "w"."type" = ? limit 5`, params: ["x"] },
      { sql: `select * from "objects" where "bucket_id" = ? order by "created_at" limit 5`, params: ["b"] },
      { sql: `select count(*) from "objects" where "bucket_id" = ?`, params: ["b"] },
    ];
    for (const statement of bad) expect(judgePlan(statement, planOf(sqlite, statement))).not.toEqual([]);
    const good: Executed[] = [
      { sql: `select * from "objects" where "id" = ?`, params: ["x"] },
      { sql: `select * from "buckets"`, params: [] },
      { sql: `select * from "webhook_events" order by "received_at" desc limit 15`, params: [] },
    ];
    for (const statement of good) expect(judgePlan(statement, planOf(sqlite, statement))).toEqual([]);
  });
});

describe("query plans on the paths that run per request or per job", () => {
  it("a webhook: verification, dedupe, the event row and its jobs", async () => {
    h.fake.fireEvent(assets[1] ?? "", "video.asset.updated");
    await expectFlat(() => h.fake.webhooks.flush());
  });

  it("claims, an ingest job and a delivery (and a claim that finds nothing)", async () => {
    h.fake.updateAsset(assets[2] ?? "", { meta: { title: "Again" } });
    await h.fake.webhooks.flush();
    const executed = await expectFlat(() => h.runner.drain());
    expect(executed.some((s) => /^\s*insert into "?deliveries"?\s/i.test(s.sql))).toBe(true);
    await expectFlat(() => h.runner.drain());
  });

  it("a reconcile page (full and scheduled passes)", async () => {
    await expectFlat(() => h.pass("full"));
    await expectFlat(() => h.pass("scheduled"));
  });

  it("a pass that repairs what the webhooks missed (and asks whether a webhook raced it)", async () => {
    h.clock.advance(WEBHOOK_RACE_MS + 1_000);
    h.fake.setWebhookUrl(null);
    h.fake.updateAsset(assets[3] ?? "", { meta: { title: "Missed" } });
    const executed = await expectFlat(() => h.pass("full"));
    expect(executed.some((s) => s.sql.includes('"webhook_events"."asset_id" = ?'))).toBe(true);
    expect(h.database.sqlite.prepare("select sum(repaired) from runs").pluck().get()).toBe(1);
  });

  it("a /metrics scrape", async () => {
    await expectFlat(async () => expect((await h.app.request("/metrics")).status).toBe(200));
  });

  it("the dashboard's page and status --json's verb", async () => {
    await expectFlat(async () => expect((await h.app.request("/", { headers: bearer })).status).toBe(200));
    await expectFlat(() => readOverview(h.deps));
  });

  it("an object's detail", async () => {
    await expectFlat(async () =>
      expect((await h.api("GET", `/v1/buckets/bkt_default/objects/${assets[0]}`)).status).toBe(200),
    );
  });

  it("feed pages, with and without cursor and filters", async () => {
    const states = fc.option(fc.constantFrom(...OBJECT_STATES), { nil: undefined });
    const reasons = fc.option(fc.constantFrom(...SKIP_REASONS), { nil: undefined });
    const cursors = fc.option(fc.nat({ max: 1_000 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        states,
        reasons,
        cursors,
        fc.integer({ min: 1, max: 200 }),
        async (state, reason, at, limit) => {
          const query = new URLSearchParams({ limit: String(limit) });
          if (state) query.set("state", state);
          if (reason) query.set("reason", reason);
          if (at !== undefined) query.set("cursor", encodeFeedCursor(at));
          const executed = await recorder.capture(async () =>
            expect((await h.api("GET", `/v1/buckets/bkt_default/objects?${query}`)).status).toBe(200),
          );
          expect(problemsOf(executed)).toBe("");
        },
      ),
      { numRuns: 40 },
    );
  });

  it("the console's objects browser: filters, searches and cursors of every kind", async () => {
    const states = fc.option(fc.constantFrom(...OBJECT_STATES), { nil: undefined });
    const reasons = fc.option(fc.constantFrom(...SKIP_REASONS), { nil: undefined });
    const searches = fc.option(
      fc.record({
        field: fc.constantFrom(...SEARCH_FIELDS),
        term: fc.string({ minLength: 1, maxLength: 12 }),
      }),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(
        states,
        reasons,
        searches,
        fc.integer({ min: 1, max: 3 }),
        async (state, reason, search, limit) => {
          const query = {
            limit,
            ...(state ? { state } : {}),
            ...(reason ? { reason } : {}),
            ...(search ? { search } : {}),
          };
          const executed = await recorder.capture(async () => {
            const first = await browseObjects(h.deps, { bucketId: "bkt_default", query });
            if (first.next_cursor)
              await browseObjects(h.deps, {
                bucketId: "bkt_default",
                query: { ...query, cursor: first.next_cursor },
              });
          });
          expect(problemsOf(executed)).toBe("");
        },
      ),
      { numRuns: 60 },
    );
    await expectFlat(async () =>
      expect(
        (await h.app.request("/dashboard/buckets/bkt_default/objects?field=title&q=E", { headers: bearer }))
          .status,
      ).toBe(200),
    );
    await expectFlat(async () =>
      expect((await h.app.request(`/dashboard/find?q=${assets[0]}`, { headers: bearer })).status).toBe(303),
    );
    // Each metadata search walks its own expression index (migration 0013), not the bucket.
    for (const [field, { index }] of Object.entries(METADATA_SEARCH_INDEXES)) {
      const search = { field: field as keyof typeof METADATA_SEARCH_INDEXES, term: "a" };
      const executed = await recorder.capture(() =>
        browseObjects(h.deps, { bucketId: "bkt_default", query: { limit: 5, search } }),
      );
      const plans = executed
        .filter((e) => e.sql.includes("json_extract"))
        .map((e) => planOf(h.database.sqlite, e).join(" | "));
      expect(plans.length, field).toBeGreaterThan(0);
      for (const plan of plans)
        expect(plan, field).toContain(`USING INDEX ${index} (bucket_id=? AND <expr>>? AND <expr><?)`);
    }
  });

  it("the console's object story, an older timeline page, its renditions in Mux and a re-delivery", async () => {
    const object = h.objectOf(assets[0] ?? "");
    const objectId = String(object?.id);
    await expectFlat(async () =>
      expect((await h.app.request(`/dashboard/objects/${objectId}`, { headers: bearer })).status).toBe(200),
    );
    const first = await readObjectStory(h.deps, { objectId });
    const cursor = first.older_cursor ?? "";
    await expectFlat(() => readObjectStory(h.deps, { objectId, ...(cursor ? { cursor } : {}) }));
    await expectFlat(() => readMuxRenditions(h.deps, { objectId }));
    await expectFlat(() => redeliverObject(h.deps, { objectId }));
    // "Create the MP4 now", on an object skipped without one whose sync may ask Mux.
    h.database.sqlite.prepare(`UPDATE syncs SET create_renditions = '["highest"]'`).run();
    h.database.sqlite
      .prepare("UPDATE objects SET state = 'skipped', reason = 'no_static_renditions' WHERE id = ?")
      .run(objectId);
    await expectFlat(() => createMp4Now(h.deps, { bucketId: "bkt_default", assetId: assets[0] ?? "" }));
  });

  it("the dead letters: listed with every filter, replayed one by one and in bulk, purged", async () => {
    const object = h.objectOf(assets[1] ?? "");
    const insert = h.database.sqlite.prepare(
      `INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, attempts, max_attempts, available_at, rerun, created_at, updated_at)
       VALUES (?, 'default', ?, ?, ?, 'dead', 1, 1, ?, 0, 0, 0)
       ON CONFLICT (queue, idempotency_key) DO UPDATE SET id = excluded.id, payload = excluded.payload,
         status = 'dead', available_at = excluded.available_at`,
    );
    insert.run(
      "job_dead_deliver",
      "deliver",
      `deliver:${object?.id}`,
      JSON.stringify({ objectId: object?.id }),
      5,
    );
    insert.run(
      "job_dead_ingest",
      "ingest",
      `ingest:syn_default:${assets[2]}`,
      JSON.stringify({ syncId: "syn_default", assetId: assets[2] }),
      4,
    );
    insert.run(
      "job_dead_pass",
      "reconcile",
      "reconcile:syn_default",
      JSON.stringify({ syncId: "syn_default", runId: "run_x" }),
      3,
    );
    for (const filter of [
      {},
      { type: "deliver" },
      { bucket_id: "bkt_default" },
      { sync_id: "syn_default", error: "x" },
    ]) {
      const executed = await recorder.capture(async () => {
        const page = await listDeadLetters(h.deps, { ...filter, limit: 1 });
        if (page.next_cursor)
          await listDeadLetters(h.deps, { ...filter, limit: 1, cursor: page.next_cursor });
      });
      expect(problemsOf(executed)).toBe("");
    }
    await expectFlat(async () =>
      expect(
        (await h.app.request("/dashboard/dead-letters?bucket_id=bkt_default", { headers: bearer })).status,
      ).toBe(200),
    );
    await expectFlat(() => replayDeadLetter(h.deps, { id: "job_dead_deliver" }));
    await expectFlat(() => replayDeadLetter(h.deps, { id: "job_dead_pass" }));
    await expectFlat(() => replayDeadLetters(h.deps, { type: "ingest", limit: 10 }));
    await h.settle();
    insert.run("job_dead_purge", "deliver", "deliver:obj_gone", JSON.stringify({ objectId: "obj_gone" }), 2);
    await expectFlat(() => purgeDeadLetter(h.deps, { id: "job_dead_purge" }));
  });

  it("a sync's runs page, its next page, and the sync's own page", async () => {
    await h.pass("full");
    await h.pass("full");
    const ref = { bucketId: "bkt_default", syncId: "syn_default" };
    await expectFlat(async () => {
      const first = await pageRuns(h.deps, { ...ref, limit: 1 });
      expect(first.next_cursor).not.toBeNull();
      await pageRuns(h.deps, { ...ref, limit: 1, cursor: first.next_cursor ?? "" });
    });
    await expectFlat(async () =>
      expect(
        (await h.app.request("/dashboard/buckets/bkt_default/syncs/syn_default/runs", { headers: bearer }))
          .status,
      ).toBe(200),
    );
    for (const path of ["/dashboard/buckets/bkt_default/syncs/syn_default", "/dashboard/connections"])
      await expectFlat(async () => expect((await h.app.request(path, { headers: bearer })).status).toBe(200));
  });

  it("the activity page, and the one upsert each counted event costs", async () => {
    await expectFlat(() => readActivity(h.deps));
    await expectFlat(async () =>
      expect((await h.app.request("/dashboard/activity", { headers: bearer })).status).toBe(200),
    );
    await expectFlat(() => h.database.atomic([countActivityStatement("mux_429", h.clock.now())]));
  });
});

describe("query plans of MP4s made on demand", () => {
  it("the ingest that asks, the create job, the delivery that queues the removal, the removal, the object's detail", async () => {
    h.close();
    const database = openNodeDatabase(":memory:");
    recorder = recordStatements(database.sqlite);
    h = await createPipelineWorld({
      database,
      storage: true,
      env: { CREATE_RENDITIONS: "highest", REMOVE_CREATED_RENDITIONS: "true" },
    });
    const asset = h.fake.createAsset({ mp4Support: "none" }).id;
    const executed = await expectFlat(async () => {
      for (let i = 0; i < 4; i++) await h.settle();
    });
    const ran = executed.map((s) => s.sql).join("\n");
    for (const table of ["rendition_requests", "write_permission"]) expect(ran).toContain(table);
    expect(h.fake.stats().renditions.deletes).toEqual({ [`${asset}/highest`]: 1 });
    await expectFlat(async () =>
      expect((await h.api("GET", `/v1/buckets/bkt_default/objects/${asset}`)).status).toBe(200),
    );
  });

  it("a read-only token: the 403, the objects judged again, the connection test", async () => {
    h.close();
    const database = openNodeDatabase(":memory:");
    recorder = recordStatements(database.sqlite);
    h = await createPipelineWorld({
      database,
      env: { CREATE_RENDITIONS: "highest" },
      fake: { permissions: ["video:read"] },
    });
    h.fake.createAsset({ mp4Support: "none" });
    await expectFlat(async () => {
      for (let i = 0; i < 3; i++) await h.settle();
    });
    await expectFlat(async () =>
      expect((await h.api("POST", "/v1/connections/con_default/test")).status).toBe(200),
    );
  });
});
