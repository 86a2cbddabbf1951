/**
 * The prom-client metrics: a registry per instance, counters fed by the webhook route, the
 * runner's onOutcome and the Mux client's onRequest, gauges and the delivery latency histogram
 * read from the database at scrape time.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeMux } from "../../src/fake-mux/index";
import { createPrometheusMetrics } from "../../src/metrics/prometheus";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import {
  createHarness,
  TEST_PIPELINE_SECRET,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";
import { network } from "../helpers/no-network";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function setup() {
  const built: Array<ReturnType<typeof createPrometheusMetrics>> = [];
  const h = await createHarness({
    env: { PIPELINE_URL: "https://pipeline.test/hook", PIPELINE_SECRET: TEST_PIPELINE_SECRET },
    metrics: (input) => {
      const made = createPrometheusMetrics(input);
      built.push(made);
      return made;
    },
  });
  closers.push(() => h.close());
  const metrics = built[0];
  if (!metrics) throw new Error("the graph did not build its metrics");
  const { app, runner, clock } = h;
  const fake = createFakeMux({
    tokenId: TEST_TOKEN_ID,
    tokenSecret: TEST_TOKEN_SECRET,
    clock,
    rateLimit: null,
  });
  closers.push(() => void fake.close());
  network.use(
    ...fakeMuxHandlers(fake),
    http.post("https://pipeline.test/hook", () => {
      clock.advance(250); // the pipeline takes a quarter of a second
      return new HttpResponse(null, { status: 200 });
    }),
  );
  return { app, runner, fake, clock, metrics };
}

describe("Prometheus metrics", () => {
  it("counts webhooks, signature failures, jobs, Mux calls and measures delivery latency", async () => {
    const { app, runner, fake, clock, metrics } = await setup();
    const asset = fake.createAsset({ status: "ready", mp4Support: "standard" });
    const post = (body: string, secret: string) =>
      app.request("/webhooks/mux", {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "mux-signature": muxSignature(body, secret, Math.floor(clock.now() / 1000)),
        },
      });
    const body = JSON.stringify(muxEvent("video.asset.ready", { id: asset.id, status: "ready" }));
    expect((await post(body, TEST_WEBHOOK_SECRET)).status).toBe(200);
    expect((await post(body, TEST_WEBHOOK_SECRET)).status).toBe(200);
    expect((await post(body, "wrong-secret-value")).status).toBe(401);
    await runner.drain();

    const res = await app.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain(
      'mux_ingest_webhooks_received_total{type="video.asset.ready",outcome="enqueued"} 1',
    );
    expect(text).toContain(
      'mux_ingest_webhooks_received_total{type="video.asset.ready",outcome="duplicate"} 1',
    );
    expect(text).toContain('mux_ingest_webhook_signature_failures_total{reason="mismatch"} 1');
    expect(text).toContain('mux_ingest_jobs_total{type="ingest",outcome="completed"} 1');
    expect(text).toContain('mux_ingest_jobs_total{type="deliver",outcome="completed"} 1');
    // The asset GET, and whoami: the connection's first use pins its environment.
    expect(text).toContain('mux_ingest_mux_api_requests_total{status="200"} 2');
    expect(text).toContain('mux_ingest_objects{state="delivered"} 1');
    expect(text).toContain('mux_ingest_queue_jobs{type="deliver",status="done"} 1');
    expect(text).toContain("mux_ingest_delivery_latency_seconds_count 1");
    expect(text).toContain('mux_ingest_delivery_latency_seconds_bucket{le="0.25"} 1');
    expect(text).toContain('mux_ingest_delivery_latency_seconds_bucket{le="0.1"} 0');
    // A second scrape does not count the same delivery twice.
    expect(await metrics.render()).toContain("mux_ingest_delivery_latency_seconds_count 1");
  });

  it("keeps one registry per app: two instances in one process do not share counters", async () => {
    const a = await setup();
    const b = await setup();
    a.metrics.muxRequest(401);
    expect(await a.metrics.render()).toContain('mux_ingest_mux_api_requests_total{status="401"} 1');
    expect(await b.metrics.render()).not.toContain('status="401"');
  });
});
