/**
 * A pipeline answering 500 with a 300 MB body, on every retry, costs the service nothing: the
 * body is generated as it is read (never materialised by the test), and the memory of the
 * process stays flat because the delivery reads a few hundred bytes of it and cancels the rest.
 */
import { describe, expect, it } from "vitest";
import { endlessBody } from "../helpers/endless-body";
import { TEST_PIPELINE_SECRET } from "../helpers/harness";
import { createFakeMuxHarness } from "../helpers/with-fake-mux";

const PIPELINE_URL = "https://pipeline.test/hooks";
const BODY_BYTES = 300 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const ATTEMPTS = 3;

describe("the pipeline's answer and memory", () => {
  it("a 300 MB error body on every attempt leaves RSS flat", async () => {
    const bodies: ReturnType<typeof endlessBody>[] = [];
    let peakRss = 0;
    const h = await createFakeMuxHarness({
      env: { PIPELINE_URL, PIPELINE_SECRET: TEST_PIPELINE_SECRET, JOB_MAX_ATTEMPTS: String(ATTEMPTS) },
      fetch: (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (!url.startsWith(PIPELINE_URL)) return fetch(input, init);
        const body = endlessBody(CHUNK_BYTES, {
          limitBytes: BODY_BYTES,
          onPull: () => {
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
          },
        });
        bodies.push(body);
        return Promise.resolve(new Response(body.stream, { status: 500 }));
      },
    });
    try {
      globalThis.gc?.();
      const before = process.memoryUsage().rss;
      h.fake.createAsset({ mp4Support: "standard" });
      await h.settleAll();
      await h.fake.settle();
      for (let i = 0; i < ATTEMPTS; i++) {
        await h.runner.drain();
        const next = await h.deps.jobs.nextDueAt();
        if (next === null) break;
        h.clock.set(Math.max(h.clock.now(), next));
      }
      const after = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, after);
      const growthMb = (peakRss - before) / 1024 / 1024;
      console.info(
        `pipeline-answer-memory: ${bodies.length} attempts, RSS before ${(before / 1048576).toFixed(0)} MB, peak ${(peakRss / 1048576).toFixed(0)} MB (+${growthMb.toFixed(0)} MB), pulled ${bodies.map((b) => b.pulledBytes).join("/")} bytes`,
      );
      expect(bodies).toHaveLength(ATTEMPTS);
      for (const body of bodies) {
        expect(body.pulledBytes).toBeLessThanOrEqual(CHUNK_BYTES);
        expect(body.cancelled).toBe(true);
      }
      expect(growthMb).toBeLessThan(64);
    } finally {
      h.close();
    }
  }, 120_000);
});
