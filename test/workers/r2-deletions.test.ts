/**
 * On Workers the same boundaries hold over R2: a download lands under `<bucket>/<asset>/`,
 * deleting the bucket removes exactly its prefix, and a webhook naming a hostile asset id is
 * recorded as `no_asset_id` and never reaches R2.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { muxSignature } from "../helpers/sign-mux";
import { startFakeMux, useNetwork } from "./helpers/fake-mux";
import type { TestEnv } from "./helpers/test-env";
import { TEST_WEBHOOK_SECRET, WORKER_TEST_VARS } from "./helpers/test-vars";
import { createWorkerHarness } from "./helpers/worker-harness";

useNetwork();
const r2 = (env as TestEnv).RENDITIONS;

describe("R2 storage through the Worker", () => {
  it("removes exactly a deleted bucket's prefix, and never lets a hostile asset id reach R2", async () => {
    const worker = createWorkerHarness({ r2: true });
    const fake = startFakeMux(worker);
    const asset = fake.createAsset({ mp4Support: "standard", status: "ready" });
    fake.fireEvent(asset.id, "video.asset.ready");
    await fake.webhooks.flush();
    await worker.drain();
    const stored = (await r2.list({ prefix: "bkt_default/" })).objects.map((o) => o.key);
    expect(stored).toEqual([`bkt_default/${asset.id}/low.mp4`]);

    for (const id of ["x/../..", "..", "../bkt_other", "a\u0000b"]) {
      const body = JSON.stringify({
        id: `evt-${crypto.randomUUID()}`,
        type: "video.asset.deleted",
        created_at: new Date().toISOString(),
        object: { type: "asset", id },
        data: { id },
      });
      const res = await worker.fetch("/webhooks/mux", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "mux-signature": muxSignature(body, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      expect(res.status).toBe(200);
    }
    await worker.drain();
    const outcomes = await worker.rows<{ n: number }>(
      "SELECT COUNT(*) AS n FROM webhook_events WHERE outcome = 'no_asset_id'",
    );
    expect(outcomes[0]?.n).toBeGreaterThanOrEqual(4);
    expect((await r2.list({ prefix: "bkt_default/" })).objects.map((o) => o.key)).toEqual(stored);

    await r2.put("bkt_other/asset1/low.mp4", "x");
    await r2.put("bkt_default0/asset1/low.mp4", "x");
    const deletion = await worker.fetch("/v1/buckets/bkt_default?force=true", {
      method: "DELETE",
      headers: { authorization: `Bearer ${WORKER_TEST_VARS.ADMIN_TOKEN}` },
    });
    expect(deletion.ok).toBe(true);
    expect((await r2.list({ prefix: "bkt_default/" })).objects).toEqual([]);
    expect(await r2.head("bkt_other/asset1/low.mp4")).not.toBeNull();
    expect(await r2.head("bkt_default0/asset1/low.mp4")).not.toBeNull();
  });
});
