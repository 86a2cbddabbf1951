/**
 * What a scrape of `/metrics` costs and who may make one: scrapes within a second of one another
 * share one read of the database's count rows and one rendering, a scrape's reads do not grow with what happened since the last one
 * (delivery latency is observed when the pipeline accepts a delivery), and with `METRICS_TOKEN`
 * only its bearer is answered, whatever else the Authorization header holds.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env";
import { createPrometheusMetrics } from "../../src/metrics/prometheus";
import { METRICS_SHARED_MS } from "../../src/metrics/types";
import type { JobStore } from "../../src/queue/job-store";
import { createHarness, type Harness } from "../helpers/harness";

const METRICS_TOKEN = "metrics-token-0123456789";

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

/** A harness whose metrics count how often a scrape reads the queue's counts. */
async function countingHarness(env: Record<string, string> = {}) {
  const reads = { counts: 0 };
  const harness = await createHarness({
    env,
    metrics: (input) => {
      const jobs = new Proxy(input.jobs, {
        get(target, key, receiver) {
          if (key === "countsByType") {
            return () => {
              reads.counts += 1;
              return target.countsByType();
            };
          }
          const value = Reflect.get(target, key, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as JobStore;
      return createPrometheusMetrics({ ...input, jobs });
    },
  });
  h = harness;
  return { harness, reads };
}

describe("a scrape of /metrics", () => {
  it("is shared by every scrape that arrives while it runs or within the window after it", async () => {
    const { harness, reads } = await countingHarness();
    const answers = await Promise.all(Array.from({ length: 8 }, () => harness.app.request("/metrics")));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(reads.counts).toBe(1);
    // Scrapes one after another, as over HTTP: each settles before the next arrives.
    harness.clock.advance(METRICS_SHARED_MS - 1);
    expect(await (await harness.app.request("/metrics")).text()).toBe(bodies[0]);
    expect(reads.counts).toBe(1);
    harness.clock.advance(1);
    harness.deps.metrics.muxRequest(503);
    expect(await (await harness.app.request("/metrics")).text()).toContain(
      'mux_ingest_mux_api_requests_total{status="503"} 1',
    );
    expect(reads.counts).toBe(2);
  });

  it("keeps no failed computation: the next scrape reads again", async () => {
    const { harness } = await countingHarness();
    const jobs = harness.deps.jobs;
    const countsByType = jobs.countsByType.bind(jobs);
    let failing = true;
    jobs.countsByType = () => (failing ? Promise.reject(new Error("database is locked")) : countsByType());
    try {
      expect((await harness.app.request("/metrics")).status).toBe(500);
      failing = false;
      expect((await harness.app.request("/metrics")).status).toBe(200);
    } finally {
      jobs.countsByType = countsByType;
    }
  });

  it("reads a few count rows, however many deliveries were made since the last scrape", async () => {
    const { harness } = await countingHarness();
    const now = harness.clock.now();
    const insert = harness.database.sqlite.prepare(
      `INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, attempts, created_at, delivered_at)
       VALUES (?, ?, 'bkt_default', 'object.ready', 1, 'delivered', 1, ?, ?)`,
    );
    harness.database.sqlite.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run(`obj_${i}.v1`, `obj_${i}`, now, now + 300);
    })();
    const rows = { read: 0 };
    const statement = Object.getPrototypeOf(harness.database.sqlite.prepare("SELECT 1"));
    const all = statement.all;
    statement.all = function (this: unknown, ...args: unknown[]) {
      const result = all.apply(this, args) as unknown[];
      rows.read += result.length;
      return result;
    };
    try {
      expect((await harness.app.request("/metrics")).status).toBe(200);
    } finally {
      statement.all = all;
    }
    expect(rows.read).toBeGreaterThan(0);
    expect(rows.read).toBeLessThan(50);
  });

  it("observes a delivery's latency once, when the pipeline accepts it, whatever the scrapes", async () => {
    const { harness } = await countingHarness();
    harness.deps.metrics.deliveryAccepted(300);
    const texts = await Promise.all(
      Array.from({ length: 4 }, async () => (await harness.app.request("/metrics")).text()),
    );
    for (const text of texts) {
      expect(text).toContain("mux_ingest_delivery_latency_seconds_count 1");
      expect(text).toContain('mux_ingest_delivery_latency_seconds_bucket{le="0.25"} 0');
      expect(text).toContain('mux_ingest_delivery_latency_seconds_bucket{le="0.5"} 1');
    }
    expect(await (await harness.app.request("/metrics")).text()).toContain(
      "mux_ingest_delivery_latency_seconds_count 1",
    );
  });
});

describe("METRICS_TOKEN", () => {
  it("leaves /metrics open when unset", async () => {
    const { harness } = await countingHarness();
    expect((await harness.app.request("/metrics")).status).toBe(200);
  });

  it("answers only its bearer: any other Authorization header gets 401 and no figures", async () => {
    const { harness, reads } = await countingHarness({ METRICS_TOKEN });
    const ok = await harness.app.request("/metrics", {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("mux_ingest_queue_jobs");
    const readsBefore = reads.counts;

    const header = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      fc.constantFrom(
        METRICS_TOKEN,
        `Basic ${METRICS_TOKEN}`,
        `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
        `Bearer ${METRICS_TOKEN}x`,
        `Bearer ${METRICS_TOKEN.toUpperCase()}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.option(header, { nil: undefined }), async (authorization) => {
        fc.pre(
          authorization
            ?.trim()
            .replace(/^bearer\s+/i, "")
            .trim() !== METRICS_TOKEN,
        );
        const headers: Record<string, string> = {};
        if (authorization !== undefined) {
          try {
            new Headers({ authorization });
          } catch {
            return; // not a value a client can send
          }
          headers.authorization = authorization;
        }
        const res = await harness.app.request("/metrics", { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
        expect(await res.text()).not.toContain("mux_ingest_");
      }),
      { numRuns: 150 },
    );
    expect(reads.counts).toBe(readsBefore);
  });

  it("must be at least 16 characters", () => {
    expect(() => parseEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
    expect(parseEnv({ METRICS_TOKEN }).metricsToken).toBe(METRICS_TOKEN);
  });
});
