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
import { openNodeDatabase } from "../../src/db/node";
import { OBJECT_STATES, SKIP_REASONS } from "../../src/db/schema";
import { createPrometheusMetrics } from "../../src/metrics/prometheus";
import { encodeFeedCursor } from "../../src/resources/feed-cursor";
import { readOverview } from "../../src/resources/overview";
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
});
