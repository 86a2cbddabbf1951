/**
 * `remove_created_renditions`: once an object's file is stored and delivered, the service deletes
 * the static renditions it created for the asset, and no others (a rendition that was there
 * before, one Mux said was already defined, one a person makes later). Mux then sends
 * `video.asset.static_rendition.deleted` and the asset lists no MP4: the object stays delivered
 * with its stored file and the pipeline hears nothing about it. Without stored copies the setting
 * is refused.
 */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_PIPELINE_SECRET } from "../helpers/harness";
import { storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, PIPELINE_URL, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

const REMOVING = { CREATE_RENDITIONS: "highest", REMOVE_CREATED_RENDITIONS: "true" };

async function converge() {
  for (let i = 0; i < 5; i++) {
    await h.settle();
    await h.drainWithBackoff();
  }
}

function renditionOf(assetId: string): { name: string; path?: string } | null {
  const raw = h.objectOf(assetId)?.rendition;
  return raw ? (JSON.parse(String(raw)) as { name: string; path?: string }) : null;
}

describe("remove_created_renditions", () => {
  it("deletes exactly the renditions the service created, once stored and delivered, and the pipeline hears nothing of it", async () => {
    h = await createPipelineWorld({ storage: true, env: REMOVING });
    const bare = [1, 2, 3].map(() => h.fake.createAsset({ mp4Support: "none" }).id);
    const own = h.fake.createAsset({ staticRenditions: ["highest"] }).id;
    const legacy = h.fake.createAsset({ mp4Support: "capped-1080p" }).id;
    // Mux had no MP4 for it when the service asked, but someone made one just before the POST.
    const raced = h.fake.createAsset({ mp4Support: "none" }).id;
    await h.fake.advance(2_000);
    await h.fake.webhooks.flush();
    const racedJob = `create-rendition:con_default:${raced}:highest`;
    for (let i = 0; i < 40 && (await h.deps.jobs.findByKeys([racedJob])).length === 0; i++) {
      const job = await h.deps.jobs.claim();
      if (job) await h.runner.runClaimed(job);
    }
    expect(await h.deps.jobs.statusOf(racedJob)).toBe("pending");
    h.fake.addStaticRendition(raced, "highest");
    await converge();

    const requests = Object.fromEntries(
      (
        h.database.sqlite
          .prepare("select asset_id, status, removed_at from rendition_requests")
          .all() as Array<{ asset_id: string; status: string; removed_at: number | null }>
      ).map((r) => [r.asset_id, { status: r.status, removed: r.removed_at !== null }]),
    );
    expect(requests).toEqual({
      ...Object.fromEntries(bare.map((id) => [id, { status: "created", removed: true }])),
      [raced]: { status: "existing", removed: false },
    });
    // The fake's deletes are the set of renditions the service created; the others are still there.
    expect(h.fake.stats().renditions.deletes).toEqual(
      Object.fromEntries(bare.map((id) => [`${id}/highest`, 1])),
    );
    for (const id of bare) expect(h.fake.getAsset(id)?.static_renditions?.files ?? []).toEqual([]);
    for (const id of [own, raced])
      expect(h.fake.getAsset(id)?.static_renditions?.files?.[0]?.status).toBe("ready");
    expect(h.fake.getAsset(legacy)?.static_renditions?.status).toBe("ready");

    const deletedEvents = h.fake.eventLog().filter((e) => e.type === "video.asset.static_rendition.deleted");
    expect(deletedEvents.map((e) => e.data.asset_id).sort()).toEqual([...bare].sort());
    for (const id of [...bare, own, raced, legacy]) {
      expect(storyOf(h.pipeline.accepted, id)).toEqual(["object.ready"]);
      expect(h.objectOf(id)?.state).toBe("delivered");
    }
    for (const id of bare) {
      const rendition = renditionOf(id);
      expect(rendition?.name).toBe("highest.mp4");
      expect(existsSync(rendition?.path ?? "missing")).toBe(true);
    }

    // A poll and a full pass later, nothing moves either: the stored file is the object's.
    const versions = bare.map((id) => h.objectOf(id)?.version);
    await h.pass("full");
    await converge();
    expect(bare.map((id) => h.objectOf(id)?.version)).toEqual(versions);
    for (const id of bare) expect(storyOf(h.pipeline.accepted, id)).toEqual(["object.ready"]);
  });

  it("never deletes a rendition a person makes after the service removed its own", async () => {
    h = await createPipelineWorld({ storage: true, env: REMOVING });
    const id = h.fake.createAsset({ mp4Support: "none" }).id;
    await converge();
    expect(h.fake.stats().renditions.deletes).toEqual({ [`${id}/highest`]: 1 });
    const again = h.fake.addStaticRendition(id, "highest");
    await converge();
    await h.pass("full");
    await converge();
    expect(h.fake.getAsset(id)?.static_renditions?.files?.map((f) => [f.id, f.status])).toEqual([
      [again?.id, "ready"],
    ]);
    expect(h.fake.stats().renditions.deletes).toEqual({ [`${id}/highest`]: 1 });
    expect(h.fake.stats().renditions.creates).toEqual({ [`${id}/highest`]: 1 });
    expect(storyOf(h.pipeline.accepted, id)).toEqual(["object.ready"]);
  });

  it("keeps a created rendition while another bucket over the connection still uses Mux's copy", async () => {
    h = await createPipelineWorld({ storage: true, env: REMOVING });
    const bucket = (await (
      await h.api("POST", "/v1/buckets", {
        name: "urls",
        pipeline_url: PIPELINE_URL,
        pipeline_secret: TEST_PIPELINE_SECRET,
      })
    ).json()) as { id: string };
    // This sync delivers Mux's stream URL as the rendition: deleting it would break that URL.
    expect(
      (
        await h.api("POST", `/v1/buckets/${bucket.id}/syncs`, {
          connection_id: "con_default",
          create_renditions: ["highest"],
        })
      ).status,
    ).toBe(201);
    const id = h.fake.createAsset({ mp4Support: "none" }).id;
    await converge();
    expect(
      h.database.sqlite.prepare("select count(*) as n from objects where state = 'delivered'").get(),
    ).toEqual({
      n: 2,
    });
    expect(h.fake.stats().renditions).toEqual({ creates: { [`${id}/highest`]: 1 }, deletes: {} });
    expect(h.fake.getAsset(id)?.static_renditions?.files?.[0]?.status).toBe("ready");
  });

  it("is refused without stored copies, naming the field, when a sync is created or changed", async () => {
    h = await createPipelineWorld();
    const created = await h.api("POST", "/v1/buckets/bkt_default/syncs", {
      connection_id: "con_default",
      remove_created_renditions: true,
    });
    expect(created.status).toBe(400);
    const body = (await created.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.message).toBe(
      "remove_created_renditions: needs stored copies of the renditions: set STORAGE_DIR (on Workers, bind an R2 bucket as RENDITIONS)",
    );
    expect(body.error.details).toEqual([
      { field: "remove_created_renditions", message: expect.stringContaining("set STORAGE_DIR") },
    ]);
    const patched = await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      remove_created_renditions: true,
    });
    expect(patched.status).toBe(400);
    expect(h.database.sqlite.prepare("select remove_created_renditions as r from syncs").get()).toEqual({
      r: 0,
    });
    expect(
      (
        await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
          remove_created_renditions: false,
        })
      ).status,
    ).toBe(200);
  });
});
