/**
 * Every reader of an answer from outside reads a bounded amount of it, whatever its size: the
 * pipeline's answer to a delivery, Mux's answers (errors and successes, through the SDK), the
 * connection test, and the MP4 download into storage. Each is fed a body that never ends
 * (generated on demand, never materialised) and must stop at its cap plus one chunk, and cancel
 * the stream.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ERROR_BODY_BYTES, readBounded } from "../../src/lib/bounded-body";
import { AppError } from "../../src/lib/errors";
import { createMuxApi, MUX_BODY_BYTES } from "../../src/mux/client";
import { testCredentials } from "../../src/resources/connection-test";
import { FileSystemStorage } from "../../src/storage/filesystem";
import { endlessBody } from "../helpers/endless-body";
import { createHarness, TEST_PIPELINE_SECRET, TEST_TOKEN_ID, TEST_TOKEN_SECRET } from "../helpers/harness";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const PIPELINE_URL = "https://pipeline.test/hooks";
/** What a delivery keeps of the pipeline's answer (deliver.ts). */
const EXCERPT_BYTES = 300;

/**
 * Far past every cap, yet finite: a reader without a bound finishes (and fails the test) instead
 * of running the machine out of memory.
 */
const limitBytes = 24 * 1024 * 1024;
const chunkSizes = fc.integer({ min: 1, max: 64 * 1024 });
/** Socket-sized chunks, for the readers behind a whole service. */
const socketChunks = fc.integer({ min: 512, max: 64 * 1024 });
const errorStatus = fc.integer({ min: 400, max: 599 });

let open: FakeMuxHarness | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

/** A service whose pipeline answers `answer()` to every delivery; Mux is the fake, through msw. */
async function serviceWithPipeline(answer: () => Response, env: Record<string, string> = {}) {
  const h = await createFakeMuxHarness({
    env: { PIPELINE_URL, PIPELINE_SECRET: TEST_PIPELINE_SECRET, JOB_MAX_ATTEMPTS: "3", ...env },
    fetch: (input, init) =>
      String(input instanceof Request ? input.url : input).startsWith(PIPELINE_URL)
        ? Promise.resolve(answer())
        : fetch(input, init),
  });
  open = h;
  return h;
}

async function deliverOnce(h: FakeMuxHarness) {
  h.fake.createAsset({ mp4Support: "standard" });
  await h.settleAll();
  await h.fake.settle();
  await h.settleAll();
  return h.database.sqlite
    .prepare("select status, attempts, last_status, last_error from deliveries")
    .get() as {
    status: string;
    attempts: number;
    last_status: number | null;
    last_error: string | null;
  };
}

describe("every outbound reader stops at its cap and cancels the stream", () => {
  it("readBounded: at most the cap plus one chunk, then cancel", async () => {
    await fc.assert(
      fc.asyncProperty(chunkSizes, fc.integer({ min: 0, max: 100_000 }), async (chunk, cap) => {
        const body = endlessBody(chunk);
        const { bytes, truncated } = await readBounded(new Response(body.stream), cap);
        expect(bytes.byteLength).toBe(cap);
        expect(truncated).toBe(true);
        expect(body.pulledBytes).toBeLessThanOrEqual(cap + chunk);
        expect(body.cancelled).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("the delivery: the pipeline's error answer is cut to a few hundred bytes, its 2xx body is not read", async () => {
    await fc.assert(
      fc.asyncProperty(
        socketChunks,
        fc.oneof(errorStatus, fc.integer({ min: 200, max: 299 })),
        async (chunk, status) => {
          const bodies: ReturnType<typeof endlessBody>[] = [];
          const h = await serviceWithPipeline(() => {
            const body = endlessBody(chunk, { fill: 0x07 /* BEL: a control character */, limitBytes });
            bodies.push(body);
            const bodiless = status === 204 || status === 205;
            return new Response(bodiless ? null : body.stream, { status });
          });
          const delivery = await deliverOnce(h);
          expect(bodies.length).toBeGreaterThan(0);
          for (const body of bodies) {
            expect(body.pulledBytes).toBeLessThanOrEqual(status < 300 ? 0 : EXCERPT_BYTES + chunk);
            if (body.pulls > 0) expect(body.cancelled).toBe(true);
          }
          if (status < 300) {
            expect(delivery.status).toBe("delivered");
          } else {
            expect(delivery.last_status).toBe(status);
            expect((delivery.last_error ?? "").length).toBeLessThanOrEqual(EXCERPT_BYTES);
            expect(delivery.last_error ?? "").not.toMatch(/\p{Cc}/u);
          }
          h.close();
          open = null;
        },
      ),
      { numRuns: 8 },
    );
  });

  it("Mux answers through the SDK: errors cut to a few KiB, successes refused past MUX_BODY_BYTES", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1024, max: 64 * 1024 }),
        fc.oneof(errorStatus, fc.constant(200)),
        async (chunk, status) => {
          const body = endlessBody(chunk, { fill: 0x20, limitBytes });
          const api = createMuxApi({
            baseUrl: "https://api.mux.test",
            credentials: { tokenId: TEST_TOKEN_ID, tokenSecret: TEST_TOKEN_SECRET },
            maxRetries: 0,
            timeoutMs: 10_000,
            fetch: async () =>
              new Response(body.stream, { status, headers: { "content-type": "application/json" } }),
          });
          const outcome = await api.retrieveAsset("asset-1").then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          const cap = status < 300 ? MUX_BODY_BYTES : ERROR_BODY_BYTES;
          expect(body.pulledBytes).toBeLessThanOrEqual(cap + 2 * chunk);
          expect(body.cancelled).toBe(true);
          if (status < 300) {
            expect(outcome).toHaveProperty("error");
            expect(String((outcome as { error: unknown }).error)).toContain("answered more than");
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("the connection test reads a bounded answer too", async () => {
    await fc.assert(
      fc.asyncProperty(socketChunks, errorStatus, async (chunk, status) => {
        const bodies: ReturnType<typeof endlessBody>[] = [];
        const h = await createHarness({
          fetch: async () => {
            const body = endlessBody(chunk, { limitBytes });
            bodies.push(body);
            return new Response(body.stream, { status, headers: { "content-type": "application/json" } });
          },
        });
        const result = await testCredentials(h.deps, {
          credentials: { tokenId: TEST_TOKEN_ID, tokenSecret: TEST_TOKEN_SECRET },
        });
        expect(result.success).toBe(false);
        expect(result.message.length).toBeLessThan(ERROR_BODY_BYTES + 1000);
        for (const body of bodies) {
          expect(body.pulledBytes).toBeLessThanOrEqual(ERROR_BODY_BYTES + chunk);
          expect(body.cancelled).toBe(true);
        }
        h.close();
      }),
      { numRuns: 10 },
    );
  });

  it("the MP4 download: an answer longer than the declared filesize is refused at the first byte too many", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bounded-download-"));
    try {
      await fc.assert(
        fc.asyncProperty(socketChunks, fc.integer({ min: 0, max: 200_000 }), async (chunk, expected) => {
          const body = endlessBody(chunk, { limitBytes });
          const storage = new FileSystemStorage(dir);
          const stored = storage.put({ bucketId: "bkt_x", assetId: "asset", name: "high.mp4" }, body.stream, {
            expectedBytes: expected,
          });
          await expect(stored).rejects.toBeInstanceOf(AppError);
          // Node's stream plumbing reads ahead a little (its highWaterMark), never the whole body.
          expect(body.pulledBytes).toBeLessThanOrEqual(expected + chunk + 64 * 1024);
          expect(body.cancelled).toBe(true);
        }),
        { numRuns: 30 },
      );
      expect(readdirSync(join(dir, "bkt_x", "asset"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
