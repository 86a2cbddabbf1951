import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHarness, type Harness, T0, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => {
  vi.restoreAllMocks();
  h.close();
});

const nowS = () => Math.floor(h.clock.now() / 1000);

function post(body: string, headers: Record<string, string> = {}, path = "/webhooks/mux") {
  return h.app.request(path, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

function signed(body: string, secret = TEST_WEBHOOK_SECRET, t = nowS()) {
  return post(body, { "mux-signature": muxSignature(body, secret, t) });
}

const count = (table: string) =>
  (h.database.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

const readyEvent = (assetId = "asset1") =>
  muxEvent("video.asset.ready", { id: assetId, status: "ready", created_at: 1767225600 });

describe("POST /webhooks/mux", () => {
  it("records a signed event and enqueues one ingest job, then answers 200", async () => {
    const res = await signed(JSON.stringify(readyEvent()));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    const event = h.database.sqlite.prepare("select * from webhook_events").get() as Record<string, unknown>;
    expect(event).toMatchObject({
      type: "video.asset.ready",
      asset_id: "asset1",
      outcome: "enqueued",
      jobs_enqueued: 1,
    });
    const job = h.database.sqlite.prepare("select type, idempotency_key, payload, status from jobs").get();
    expect(job).toEqual({
      type: "ingest",
      idempotency_key: "ingest:syn_default:asset1",
      payload: JSON.stringify({ syncId: "syn_default", assetId: "asset1", via: "webhook" }),
      status: "pending",
    });
  });

  it("writes the event and its job with statements prepared once, none compiled by drizzle", async () => {
    expect((await signed(JSON.stringify(readyEvent("asset1")))).status).toBe(200);
    const compiled = vi.spyOn(SQLiteSyncDialect.prototype, "sqlToQuery");
    const prepared = vi.spyOn(h.database.sqlite, "prepare");
    expect((await signed(JSON.stringify(readyEvent("asset2")))).status).toBe(200);
    expect(compiled).not.toHaveBeenCalled();
    expect(prepared).not.toHaveBeenCalled();
    expect(count("webhook_events")).toBe(2);
    expect(count("jobs")).toBe(2);
  });

  it("answers 200 with the same headers as its refusals: the security headers and the request id", async () => {
    const body = JSON.stringify(readyEvent());
    const headers = { "content-type": "application/json", "x-request-id": "req-webhook-1" };
    const accepted = await post(body, {
      ...headers,
      "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()),
    });
    const refused = await post(body, {
      ...headers,
      "mux-signature": muxSignature(body, "another-secret", nowS()),
    });
    expect([accepted.status, refused.status]).toEqual([200, 401]);
    expect([...accepted.headers].sort()).toEqual([...refused.headers].sort());
    expect(accepted.headers.get("x-request-id")).toBe("req-webhook-1");
    expect(accepted.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("answers a duplicate delivery with duplicate:true and enqueues nothing more", async () => {
    const body = JSON.stringify(readyEvent());
    await signed(body);
    // The first job finishes, so a second enqueue would be visible as a revived job.
    h.database.sqlite.prepare("update jobs set status = 'done'").run();
    const again = await signed(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(count("webhook_events")).toBe(1);
    expect(h.database.sqlite.prepare("select status from jobs").all()).toEqual([{ status: "done" }]);
  });

  it("accepts two distinct events of the same second for one asset as one queued job", async () => {
    const created = muxEvent("video.asset.created", { id: "asset1", status: "preparing" });
    const ready = readyEvent();
    expect((await signed(JSON.stringify(created))).status).toBe(200);
    expect((await signed(JSON.stringify(ready))).status).toBe(200);
    expect(count("webhook_events")).toBe(2);
    expect(count("jobs")).toBe(1);
  });

  it("acknowledges event types it does not act on, and records them as ignored", async () => {
    for (const type of [
      "video.live_stream.active",
      "video.upload.created",
      "video.asset.track.created",
      "robots.job.ready",
    ]) {
      const res = await signed(JSON.stringify(muxEvent(type, { id: "x1" })));
      expect(res.status).toBe(200);
    }
    expect(h.database.sqlite.prepare("select distinct outcome from webhook_events").all()).toEqual([
      { outcome: "ignored" },
    ]);
    expect(count("jobs")).toBe(0);
  });

  it("takes the asset of a per-file rendition event from data.asset_id, never object.id", async () => {
    const event = muxEvent(
      "video.asset.static_rendition.ready",
      { id: "rendition1", asset_id: "asset9", name: "highest.mp4", status: "ready", filesize: 1234 },
      { object: { type: "static_rendition", id: "rendition1" } },
    );
    expect((await signed(JSON.stringify(event))).status).toBe(200);
    const job = h.database.sqlite.prepare("select idempotency_key from jobs").get();
    expect(job).toEqual({ idempotency_key: "ingest:syn_default:asset9" });
  });

  it("records a per-file event without data.asset_id and leaves it to reconciliation", async () => {
    const event = muxEvent("video.asset.static_rendition.ready", { id: "rendition1", name: "highest.mp4" });
    expect((await signed(JSON.stringify(event))).status).toBe(200);
    expect(h.database.sqlite.prepare("select outcome from webhook_events").get()).toEqual({
      outcome: "no_asset_id",
    });
    expect(count("jobs")).toBe(0);
  });

  it("accepts events with no data, numeric created_at, and numeric-string created_at", async () => {
    for (const extra of [{ data: undefined }, { created_at: 1767225600 }, { created_at: "1767225600" }]) {
      const res = await signed(JSON.stringify({ ...readyEvent(), ...extra }));
      expect(res.status).toBe(200);
    }
  });

  it("routes /webhooks/mux/:connection_id to that connection's secrets", async () => {
    const body = JSON.stringify(readyEvent());
    const res = await post(
      body,
      { "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()) },
      "/webhooks/mux/con_default",
    );
    expect(res.status).toBe(200);
    const unknown = await post(
      body,
      { "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()) },
      "/webhooks/mux/con_nope",
    );
    // No existence oracle: an unknown id answers what a wrong signature on a known one answers.
    expect(unknown.status).toBe(401);
    const forged = await post(
      body,
      { "mux-signature": muxSignature(body, "not-the-secret", nowS()) },
      "/webhooks/mux/con_default",
    );
    expect(forged.status).toBe(401);
    expect(await unknown.json()).toEqual(await forged.json());
  });

  describe("refuses, leaving no trace but a log line", () => {
    const cases: Array<[string, () => Response | Promise<Response>]> = [
      ["a missing signature", () => post(JSON.stringify(readyEvent()))],
      ["the wrong secret", () => signed(JSON.stringify(readyEvent()), "not-the-secret")],
      [
        "a timestamp 301 s old",
        () => signed(JSON.stringify(readyEvent()), TEST_WEBHOOK_SECRET, nowS() - 301),
      ],
      [
        "a timestamp 301 s ahead",
        () => signed(JSON.stringify(readyEvent()), TEST_WEBHOOK_SECRET, nowS() + 301),
      ],
      [
        "a signature over another body",
        () => {
          const body = JSON.stringify(readyEvent());
          return post(body.replace("asset1", "asset2"), {
            "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, nowS()),
          });
        },
      ],
    ];
    for (const [name, send] of cases) {
      it(`with 401 for ${name}`, async () => {
        const res = await send();
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
        expect(count("webhook_events")).toBe(0);
        expect(count("jobs")).toBe(0);
        expect(h.logs.some((line) => line.includes("Webhook signature rejected"))).toBe(true);
      });
    }
  });

  it("answers 400 to a correctly signed body that is not JSON, or not an envelope", async () => {
    expect((await signed("{not json")).status).toBe(400);
    const res = await signed(JSON.stringify({ type: "video.asset.ready" }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION");
    expect(count("webhook_events")).toBe(0);
  });

  it("answers 413 to a body over 256 KiB, declared or streamed", async () => {
    const big = JSON.stringify({ ...readyEvent(), padding: "x".repeat(256 * 1024) });
    expect((await signed(big)).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(100 * 1024).fill(32));
        controller.close();
      },
    });
    const res = await h.app.request("/webhooks/mux", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json", "mux-signature": "t=1,v1=00" },
      // @ts-expect-error: Node's fetch needs duplex for a streamed body.
      duplex: "half",
    });
    expect(res.status).toBe(413);
    expect(count("webhook_events")).toBe(0);
  });

  it("answers 500 when the database fails mid-write, writes nothing, and accepts Mux's retry", async () => {
    h.database.sqlite.exec(
      "CREATE TRIGGER fail_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
    );
    const body = JSON.stringify(readyEvent());
    const res = await signed(body);
    expect(res.status).toBe(500);
    expect(count("webhook_events")).toBe(0);
    expect(count("jobs")).toBe(0);
    h.database.sqlite.exec("DROP TRIGGER fail_jobs");
    const retry = await signed(body);
    expect(await retry.json()).toEqual({ received: true, duplicate: false });
    expect(count("jobs")).toBe(1);
  });

  it("keeps the clock injectable: the tolerance follows the harness clock, not Date.now", async () => {
    h.clock.set(T0 + 3_600_000);
    const body = JSON.stringify(readyEvent());
    expect(
      (await post(body, { "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(T0 / 1000)) }))
        .status,
    ).toBe(401);
    expect((await signed(body)).status).toBe(200);
  });
});
