import { afterEach, describe, expect, it } from "vitest";
import { TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { muxEvent, muxSignature } from "../helpers/sign-mux";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const ADMIN_TOKEN = "admin-token-for-routing-test";
let h: FakeMuxHarness;
afterEach(() => h?.close());

async function webhook(assetId: string) {
  const body = JSON.stringify(muxEvent("video.asset.ready", { id: assetId }));
  return h.app.request("/webhooks/mux", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(h.clock.now() / 1000)),
    },
  });
}

describe("admin writes and the webhook routing cache", () => {
  it("a sync created through the API receives the very next webhook", async () => {
    h = await createFakeMuxHarness({ env: { ADMIN_TOKEN } });
    // Warm the cache with the default sync only.
    expect((await webhook("asset-before")).status).toBe(200);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const bucket = await h.app.request("/v1/buckets", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "second" }),
    });
    const { id: bucketId } = (await bucket.json()) as { id: string };
    const created = await h.app.request(`/v1/buckets/${bucketId}/syncs`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ connection_id: "con_default", source_path: "mux://asset-after" }),
    });
    expect(created.status).toBe(201);
    const { id: syncId } = (await created.json()) as { id: string };
    expect((await webhook("asset-after")).status).toBe(200);
    const job = h.database.sqlite
      .prepare("select count(*) as n from jobs where idempotency_key = ?")
      .get(`ingest:${syncId}:asset-after`) as { n: number };
    expect(job.n).toBe(1);
  });
});
