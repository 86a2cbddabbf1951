/**
 * Hostile input on `POST /webhooks/mux`, property-based: whatever arrives (arbitrary bytes and
 * headers, mutated signatures, truncated, deeply nested or oversized JSON, wrong content types,
 * invalid UTF-8), the answer is a 4xx, never a 5xx and never a crash, and nothing unsigned is ever
 * recorded or enqueued. Signatures in these tests come from node:crypto (test/helpers/sign-mux.ts),
 * independent of the Web Crypto code under test.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WEBHOOK_BODY_LIMIT_BYTES } from "../../src/http/body-limits";
import { createHarness, type Harness, TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

let h: Harness;
// One harness for the whole file: properties run hundreds of requests, and every refused request
// must leave the tables exactly as they were, which `beforeEach` checks from a clean slate.
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => {
  // Hundreds of refused requests were logged: none of those lines may carry a secret.
  const leaks = h.logs.filter((line) =>
    [TEST_WEBHOOK_SECRET, TEST_TOKEN_SECRET].some((s) => line.includes(s)),
  );
  h.close();
  expect(h.logs.length).toBeGreaterThan(100);
  expect(leaks).toEqual([]);
});
beforeEach(() => {
  h.database.sqlite.exec("DELETE FROM webhook_events; DELETE FROM jobs;");
});

const nowS = () => Math.floor(h.clock.now() / 1000);
const rows = () =>
  (
    h.database.sqlite
      .prepare("SELECT (SELECT COUNT(*) FROM webhook_events) + (SELECT COUNT(*) FROM jobs) AS n")
      .get() as { n: number }
  ).n;

function post(body: BodyInit, headers: Record<string, string> = {}, path = "/webhooks/mux") {
  return h.app.request(path, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Mux's signature over raw bytes (which need not be UTF-8). */
function signBytes(bytes: Uint8Array, t = nowS(), secret = TEST_WEBHOOK_SECRET): string {
  const mac = createHmac("sha256", secret).update(`${t}.`).update(bytes).digest("hex");
  return `t=${t},v1=${mac}`;
}

const validEnvelope = () =>
  JSON.stringify(muxEvent("video.asset.ready", { id: "asset-hostile", status: "ready" }));

const headerName = fc.constantFrom(
  "mux-signature",
  "content-type",
  "content-encoding",
  "x-forwarded-for",
  "x-request-id",
  "transfer-encoding-ish",
  "authorization",
);
/** Header values a fetch Request accepts (visible ASCII and spaces). */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});
const contentType = fc.constantFrom(
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "application/octet-stream",
);

async function expectRefused(res: Response, statuses: number[] = [400, 401, 413, 415]) {
  expect(statuses).toContain(res.status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toMatch(/^[A-Z_]+$/);
  expect(rows()).toBe(0);
}

describe("POST /webhooks/mux under hostile input", () => {
  it("refuses arbitrary bytes with arbitrary headers with a 4xx, and records nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
        async (bytes, headers) => {
          await expectRefused(await post(bytes, headers));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses arbitrary JSON values, signed with a forged or missing signature, whatever the content type (415 unless JSON)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
        fc.option(headerValue, { nil: undefined }),
        contentType,
        async (body, signature, type) => {
          const headers: Record<string, string> = { "content-type": type };
          if (signature !== undefined) headers["mux-signature"] = signature;
          const json = type.split(";")[0] === "application/json";
          await expectRefused(await post(body, headers), json ? [401] : [415]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses every single-character mutation of a valid signature header", async () => {
    const body = validEnvelope();
    const header = muxSignature(body, TEST_WEBHOOK_SECRET, nowS());
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: header.length - 1 }),
        fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        async (index, replacement) => {
          fc.pre(header[index] !== replacement);
          // A different timestamp digit within tolerance is still a different signed message.
          const mutated = header.slice(0, index) + replacement + header.slice(index + 1);
          await expectRefused(await post(body, { "mux-signature": mutated }), [401]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a body with any byte flipped under the original signature", async () => {
    const body = new TextEncoder().encode(validEnvelope());
    const header = signBytes(body);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
        const mutated = body.slice();
        mutated[i] = (mutated[i] ?? 0) ^ x;
        // 400 when the flip broke UTF-8 (read before the signature), 401 otherwise.
        await expectRefused(await post(mutated, { "mux-signature": header }), [400, 401]);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a correctly signed prefix of an envelope (a truncated body) with 400", async () => {
    const body = validEnvelope();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: body.length - 1 }), async (cut) => {
        const truncated = body.slice(0, cut);
        const res = await post(truncated, {
          "mux-signature": muxSignature(truncated, TEST_WEBHOOK_SECRET, nowS()),
        });
        await expectRefused(res, [400]);
      }),
      { numRuns: 150 },
    );
  });

  it("answers a correctly signed arbitrary JSON value with 400 or, for a valid envelope, 200: never 5xx", async () => {
    const envelopeLike = fc.record({
      type: fc.oneof(fc.constantFrom("video.asset.ready", "video.asset.static_rendition.ready"), fc.string()),
      id: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      object: fc.oneof(fc.constant(null), fc.record({ type: fc.string(), id: fc.string() })),
      data: fc.oneof(
        fc.constant(null),
        fc.jsonValue({ maxDepth: 4 }),
        fc.record({ id: fc.string(), asset_id: fc.string() }),
      ),
      created_at: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 5 }), envelopeLike), async (value) => {
        const body = JSON.stringify(value) ?? "null";
        const res = await post(body, { "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()) });
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(rows()).toBe(0);
        h.database.sqlite.exec("DELETE FROM webhook_events; DELETE FROM jobs;");
      }),
      { numRuns: 300 },
    );
  });

  it("answers 400 to correctly signed, deeply nested JSON (no stack overflow, no 5xx)", async () => {
    for (const depth of [1_000, 100_000, 130_000]) {
      const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      for (const body of [nested, `{"type":"video.asset.ready","id":"deep","data":${nested}}`]) {
        const res = await post(body, { "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()) });
        expect(res.status, `depth ${depth}`).toBe(400);
      }
    }
    expect(rows()).toBe(0);
  });

  it("answers 400 to a correctly signed body that is not valid UTF-8", async () => {
    const invalidUtf8 = fc
      .tuple(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88]),
      )
      .map(([prefix, bad]) => new Uint8Array([...prefix, ...bad]));
    await fc.assert(
      fc.asyncProperty(invalidUtf8, async (bytes) => {
        await expectRefused(await post(bytes, { "mux-signature": signBytes(bytes) }), [400]);
      }),
      { numRuns: 150 },
    );
  });

  it("refuses a replay of a correctly signed webhook once it is 301 s old, though it was accepted at first", async () => {
    const body = validEnvelope();
    const signature = muxSignature(body, TEST_WEBHOOK_SECRET, nowS());
    expect((await post(body, { "mux-signature": signature })).status).toBe(200);
    h.database.sqlite.exec("DELETE FROM webhook_events; DELETE FROM jobs;");
    const signedAt = h.clock.now();
    h.clock.advance(301_000);
    await expectRefused(await post(body, { "mux-signature": signature }), [401]);
    h.clock.set(signedAt);
  });

  it("refuses a signature made with the right secret over a different body", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (signedText, sentText) => {
        fc.pre(signedText !== sentText);
        const signed = JSON.stringify(muxEvent("video.asset.ready", { id: "a", title: signedText }));
        const sent = JSON.stringify(muxEvent("video.asset.ready", { id: "a", title: sentText }));
        const res = await post(sent, { "mux-signature": muxSignature(signed, TEST_WEBHOOK_SECRET, nowS()) });
        await expectRefused(res, [401]);
      }),
      { numRuns: 100 },
    );
  });
});

describe(`POST /webhooks/mux with a body over its limit (${WEBHOOK_BODY_LIMIT_BYTES / 1024} KiB)`, () => {
  const LIMIT = WEBHOOK_BODY_LIMIT_BYTES;
  const MIB = 1024 * 1024;
  const CHUNK = 64 * 1024;

  /** A body of `total` bytes produced on demand, counting what the server pulled. */
  function countingBody(total: number) {
    const pulled = { bytes: 0, cancelled: false };
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (sent >= total) {
            controller.close();
            return;
          }
          const size = Math.min(CHUNK, total - sent);
          sent += size;
          pulled.bytes += size;
          controller.enqueue(new Uint8Array(size).fill(0x20));
        },
        cancel() {
          pulled.cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, pulled };
  }

  it("cuts a streamed body off just past the limit instead of reading it all into memory", async () => {
    const { stream, pulled } = countingBody(256 * MIB);
    const res = await h.app.request("/webhooks/mux", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json", "mux-signature": `t=${nowS()},v1=${"0".repeat(64)}` },
      // @ts-expect-error: Node's fetch needs duplex for a streamed body.
      duplex: "half",
    });
    expect(res.status).toBe(413);
    // Read up to the first chunk past the limit (plus what the stream machinery buffers ahead), not 256 MiB.
    expect(pulled.bytes).toBeGreaterThan(LIMIT);
    expect(pulled.bytes).toBeLessThanOrEqual(LIMIT + 4 * CHUNK);
    expect(rows()).toBe(0);
  });

  it("refuses a declared Content-Length over the limit before reading any of the body", async () => {
    const { stream, pulled } = countingBody(2 * MIB);
    const res = await h.app.request("/webhooks/mux", {
      method: "POST",
      body: stream,
      headers: {
        "content-type": "application/json",
        "content-length": String(LIMIT + 1),
        "mux-signature": `t=${nowS()},v1=${"0".repeat(64)}`,
      },
      // @ts-expect-error: Node's fetch needs duplex for a streamed body.
      duplex: "half",
    });
    expect(res.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(CHUNK);
    expect(rows()).toBe(0);
  });

  it("accepts a correctly signed envelope of exactly the limit, and refuses one byte more", async () => {
    const base = validEnvelope();
    const padding = LIMIT - base.length - ',"padding":""'.length;
    const body = `${base.slice(0, -1)},"padding":"${"x".repeat(padding)}"}`;
    expect(new TextEncoder().encode(body).length).toBe(LIMIT);
    const over = `${body.slice(0, -2)}x"}`;
    expect(
      (await post(over, { "mux-signature": muxSignature(over, TEST_WEBHOOK_SECRET, nowS()) })).status,
    ).toBe(413);
    const res = await post(body, { "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()) });
    expect(res.status).toBe(200);
  });
});
