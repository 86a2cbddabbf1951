/**
 * MP4s made on demand on Workers: D1 takes the request's upsert and the job queued only if it
 * won, the create job asks Mux once, the file goes to R2, and once delivered the rendition the
 * service created is removed; Mux's `static_rendition.deleted` then changes nothing.
 */
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { network, startFakeMux, useNetwork } from "./helpers/fake-mux";
import { createWorkerHarness } from "./helpers/worker-harness";

useNetwork();

const PIPELINE_URL = "https://pipeline.example/hooks";
const VARS = {
  PIPELINE_URL,
  PIPELINE_SECRET: "whsec_dGVzdC1waXBlbGluZS1zZWNyZXQtMTIzNDU2Nzg5MA==",
  CREATE_RENDITIONS: "highest",
  REMOVE_CREATED_RENDITIONS: "true",
};

describe("create_renditions on Workers", () => {
  it("asks once, stores the MP4 in R2, delivers it, and removes only the rendition it created", async () => {
    const worker = createWorkerHarness({ vars: VARS, r2: true });
    const delivered: string[] = [];
    network.use(
      http.post(PIPELINE_URL, async ({ request }) => {
        delivered.push(((await request.json()) as { type: string }).type);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const fake = startFakeMux(worker);
    const bare = fake.createAsset({ mp4Support: "none" });
    const own = fake.createAsset({ staticRenditions: ["highest"] });
    for (const ms of [2_000, 3_000, 0, 0]) {
      await fake.advance(ms);
      await fake.webhooks.flush();
      // A duplicate of every event so far: nothing is asked twice.
      if (ms === 2_000) fake.fireEvent(bare.id, "video.asset.ready");
      await fake.webhooks.flush();
      expect((await worker.drain()).delayed).toEqual([]);
    }
    expect(fake.stats().renditions).toEqual({
      creates: { [`${bare.id}/highest`]: 1 },
      deletes: { [`${bare.id}/highest`]: 1 },
    });
    expect(fake.getAsset(own.id)?.static_renditions?.files?.map((f) => f.status)).toEqual(["ready"]);
    const objects = await worker.rows<{ asset_id: string; state: string; rendition: string }>(
      "SELECT asset_id, state, rendition FROM objects WHERE asset_id IN (?, ?) ORDER BY asset_id",
      bare.id,
      own.id,
    );
    expect(objects.map((o) => [o.state, JSON.parse(o.rendition).name, JSON.parse(o.rendition).path])).toEqual(
      [
        ["delivered", "highest.mp4", expect.stringMatching(/^r2:\/\//)],
        ["delivered", "highest.mp4", expect.stringMatching(/^r2:\/\//)],
      ],
    );
    expect(delivered).toEqual(["object.ready", "object.ready"]);
    const [request] = await worker.rows<{ status: string; removed: number }>(
      "SELECT status, removed_at IS NOT NULL AS removed FROM rendition_requests WHERE asset_id = ?",
      bare.id,
    );
    expect(request).toEqual({ status: "created", removed: 1 });
  });
});
