/**
 * The activity buckets count what happened, as it happened: webhooks recorded (a duplicate
 * counts nothing), deliveries the pipeline accepted with their latency bins, objects that
 * failed, Mux 429s from the fake Mux, repairs by a reconciliation pass; the activity page draws
 * them from the buckets table alone; retention prunes buckets older than a few days.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ACTIVITY_BUCKET_MS, ACTIVITY_KEEP_MS, LATENCY_BINS_MS, latencySeries } from "../../src/db/activity";
import { readActivity } from "../../src/resources/activity";
import { testConnection } from "../../src/resources/connection-test";
import { Retention } from "../../src/sync/retention";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";
import { recordStatements } from "../helpers/statement-recorder";

let h: PipelineWorld;
afterEach(() => h?.close());

const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

const count = (sql: string) => (h.database.sqlite.prepare(sql).get() as { n: number }).n;

function bucketed(series: string): number {
  return (
    h.database.sqlite
      .prepare("SELECT COALESCE(SUM(n), 0) AS n FROM activity_buckets WHERE series = ?")
      .get(series) as {
      n: number;
    }
  ).n;
}

describe("the activity buckets", () => {
  it("count webhooks, deliveries and their latency, failures, repairs and Mux 429s as they happen", async () => {
    h = await createPipelineWorld({ env: { JOB_MAX_ATTEMPTS: "1" } });
    for (let i = 0; i < 3; i++) h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const webhooks = count("SELECT COUNT(*) AS n FROM webhook_events");
    expect(webhooks).toBeGreaterThan(0);
    expect(bucketed("webhooks")).toBe(webhooks);
    expect(bucketed("delivered")).toBe(3);
    expect(count("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'delivered'")).toBe(3);
    const bins = Array.from({ length: LATENCY_BINS_MS.length + 1 }, (_, i) => bucketed(latencySeries(i)));
    expect(bins.reduce((a, n) => a + n, 0)).toBe(3);

    // A delivery the pipeline refuses on its only attempt fails the object.
    h.pipeline.script.push(500);
    h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    expect(count("SELECT COUNT(*) AS n FROM objects WHERE state = 'failed'")).toBe(1);
    expect(bucketed("failures")).toBe(1);

    // An asset whose webhooks were lost is found and repaired by a pass.
    await h.pass("full");
    h.clock.advance(3600_000);
    h.fake.setWebhookUrl(null);
    h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    const repaired = count("SELECT COALESCE(SUM(repaired), 0) AS n FROM runs");
    expect(repaired).toBe(1);
    expect(bucketed("repairs")).toBe(repaired);

    // Mux's 429s, counted where the client sees them (the test asks twice at a burst of one).
    h.fake.setRateLimit({ perSecond: 1, burst: 1 });
    const before = h.fake.stats().rateLimited;
    await testConnection(h.deps, { id: "con_default" });
    const limited = h.fake.stats().rateLimited - before;
    expect(limited).toBeGreaterThan(0);
    expect(bucketed("mux_429")).toBe(limited);

    const view = await readActivity(h.deps);
    expect(view.totals).toEqual({
      webhooks: bucketed("webhooks"),
      delivered: count("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'delivered'"),
      failures: 1,
      repairs: 1,
      mux_429: limited,
    });
    expect(view.latency_day[50]).not.toBeNull();
  });

  it("count a webhook Mux sends twice once: the event row it did not insert counts nothing", async () => {
    h = await createPipelineWorld();
    h.fake.setFaults({ duplicateRate: 1 });
    h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const { sent, delivered } = h.fake.stats().webhooks;
    const events = count("SELECT COUNT(*) AS n FROM webhook_events");
    expect(delivered).toBeGreaterThan(events);
    expect(sent).toBeGreaterThan(events);
    expect(bucketed("webhooks")).toBe(events);
  });

  it("put each count in the ten-minute bucket of when it happened, and the page shows the last day only", async () => {
    h = await createPipelineWorld();
    h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const early = bucketed("delivered");
    h.clock.advance(25 * 3600_000);
    const view = await readActivity(h.deps);
    expect(view.totals.delivered).toBe(0);
    h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const later = await readActivity(h.deps);
    expect(later.totals.delivered).toBe(1);
    expect(later.counts.delivered.at(-1)).toBe(1);
    expect(bucketed("delivered")).toBe(early + 1);
    const starts = h.database.sqlite
      .prepare("SELECT DISTINCT bucket_start AS s FROM activity_buckets")
      .all() as Array<{
      s: number;
    }>;
    for (const { s } of starts) expect(s % ACTIVITY_BUCKET_MS).toBe(0);
  });

  it("draws the page from the activity buckets alone", async () => {
    h = await createPipelineWorld();
    h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const recorder = recordStatements(h.database.sqlite);
    const executed = await recorder.capture(async () => {
      const res = await h.app.request("/dashboard/activity", { headers: bearer });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('data-testid="total-delivered">1<');
      expect(html).toContain("<title");
      expect(html).toContain("<desc");
    });
    expect(executed.length).toBeGreaterThan(0);
    for (const statement of executed) expect(statement.sql).toContain("activity_buckets");
  });

  it("are pruned by retention once older than a few days", async () => {
    h = await createPipelineWorld();
    h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    expect(count("SELECT COUNT(*) AS n FROM activity_buckets")).toBeGreaterThan(0);
    h.clock.advance(ACTIVITY_KEEP_MS - ACTIVITY_BUCKET_MS);
    const retention = new Retention(h.deps);
    await retention.prune({ statements: 100, ms: 10_000 });
    expect(count("SELECT COUNT(*) AS n FROM activity_buckets")).toBeGreaterThan(0);
    h.clock.advance(2 * ACTIVITY_BUCKET_MS);
    const pass = await retention.prune({ statements: 100, ms: 10_000 });
    expect(pass.pruned.activityBuckets).toBeGreaterThan(0);
    expect(count("SELECT COUNT(*) AS n FROM activity_buckets")).toBe(0);
  });
});
