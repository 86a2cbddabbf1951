/**
 * What an object's story tells beyond its state: every attempt of each delivery with the
 * pipeline's answer (recorded by the attempt-counting trigger, trimmed to the newest
 * `DELIVERY_ATTEMPTS_KEPT`, gone with the delivery), the passes whose checks changed it, and
 * "create the MP4 now" for an asset skipped without an MP4 whose sync may ask Mux for one.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { DELIVERY_ATTEMPTS_KEPT } from "../../src/db/delivery-attempts";
import { readObjectStory } from "../../src/resources/object-story";
import type { TimelineEntry } from "../../src/resources/object-timeline";
import { ADMIN_TOKEN } from "../helpers/admin-api";
import { csrfOf, postForm, signIn } from "../helpers/dashboard-client";
import { network } from "../helpers/no-network";
import { createPipelineWorld, PIPELINE_URL, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

type Delivery = Extract<TimelineEntry, { kind: "delivery" }>;

function objectIdOf(assetId: string): string {
  return String(h.objectOf(assetId)?.id);
}

async function deliveriesOf(objectId: string): Promise<Delivery[]> {
  const story = await readObjectStory(h.deps, { objectId });
  return story.timeline.filter((e): e is Delivery => e.kind === "delivery");
}

async function page(path: string, cookie: string): Promise<string> {
  const res = await h.app.request(path, { headers: { cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

describe("a delivery's attempts", () => {
  it("lists each attempt with the pipeline's answer, newest first: refusals, no answer, then the 2xx", async () => {
    h = await createPipelineWorld({ env: { JOB_MAX_ATTEMPTS: "5" } });
    h.pipeline.script.push(503);
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    // Attempt 2 fails at the network: installed now that attempt 1 was answered 503.
    network.use(http.post(PIPELINE_URL, () => HttpResponse.error(), { once: true }));
    await h.drainWithBackoff();
    const id = objectIdOf(asset.id);
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    const [delivery] = await deliveriesOf(id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, last_status: 200 });
    expect(delivery?.attempt_history.map((a) => [a.attempt, a.status])).toEqual([
      [3, 200],
      [2, null],
      [1, 503],
    ]);
    const [ok, cutOff, refused] = delivery?.attempt_history ?? [];
    expect(ok?.error).toBeNull();
    expect(cutOff?.error).toBeTruthy();
    expect(refused?.error).toBe("");
    // Each attempt at the clock's time when its answer came, in order.
    const times = (delivery?.attempt_history ?? []).map((a) => Date.parse(a.at ?? ""));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    const { cookie } = await signIn(h.app, ADMIN_TOKEN);
    const html = await page(`/dashboard/objects/${id}`, cookie);
    expect(html.match(/data-testid="attempt"/g)).toHaveLength(3);
    expect(html).toContain("HTTP 503");
    expect(html).toContain("no answer");
  });

  it("keeps the newest attempts of a delivery tried again and again, and drops them with the delivery", async () => {
    h = await createPipelineWorld();
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await h.settle();
    const id = objectIdOf(asset.id);
    const { sqlite } = h.database;
    const deliveryId = sqlite
      .prepare("SELECT id FROM deliveries WHERE object_id = ?")
      .pluck()
      .get(id) as string;
    const bump = sqlite.prepare(
      "UPDATE deliveries SET attempts = attempts + 1, last_status = 500, last_error = ?, last_attempt_at = ? WHERE id = ?",
    );
    const extra = DELIVERY_ATTEMPTS_KEPT + 7;
    for (let i = 0; i < extra; i++) bump.run(`refusal ${i}`, 1_000 + i, deliveryId);
    const kept = sqlite
      .prepare("SELECT attempt, error FROM delivery_attempts WHERE delivery_id = ? ORDER BY id")
      .all(deliveryId) as Array<{ attempt: number; error: string }>;
    expect(kept).toHaveLength(DELIVERY_ATTEMPTS_KEPT);
    expect(kept.at(-1)).toEqual({ attempt: extra + 1, error: `refusal ${extra - 1}` });
    expect(kept[0]?.attempt).toBe(extra + 1 - DELIVERY_ATTEMPTS_KEPT + 1);
    // A statement that changes anything but the count records nothing.
    sqlite.prepare("UPDATE deliveries SET payload = NULL WHERE id = ?").run(deliveryId);
    expect(
      sqlite.prepare("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = ?").pluck().get(deliveryId),
    ).toBe(DELIVERY_ATTEMPTS_KEPT);
    const [shown] = await deliveriesOf(id);
    expect(shown?.attempt_history).toHaveLength(DELIVERY_ATTEMPTS_KEPT);
    expect(shown?.attempt_history[0]?.attempt).toBe(extra + 1);

    sqlite.prepare("DELETE FROM deliveries WHERE id = ?").run(deliveryId);
    expect(sqlite.prepare("SELECT COUNT(*) FROM delivery_attempts").pluck().get()).toBe(0);
  });
});

describe("the passes that touched an object", () => {
  it("names the pass whose check changed it on the timeline, and among its passes", async () => {
    h = await createPipelineWorld();
    await h.pass("full");
    h.clock.advance(3600_000);
    // Its webhooks are lost: only a pass finds it.
    h.fake.setWebhookUrl(null);
    const asset = h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    await h.pass("full");
    await h.settle();
    const id = objectIdOf(asset.id);
    const run = h.database.sqlite.prepare("SELECT id FROM runs WHERE repaired = 1").pluck().get() as
      | string
      | undefined;
    expect(run).toMatch(/^run_/);
    const story = await readObjectStory(h.deps, { objectId: id });
    const changes = story.timeline.filter((e) => e.kind === "state");
    // Found by the pass: its first state change names it; the delivery's change is the deliver job's.
    expect(changes.at(-1)).toMatchObject({ run_id: run });
    expect(changes.find((e) => e.kind === "state" && e.state === "delivered")).toMatchObject({
      run_id: null,
    });
    expect(story.passes.find((p) => p.id === run)?.roles).toContain("changed");

    const { cookie } = await signIn(h.app, ADMIN_TOKEN);
    const html = await page(`/dashboard/objects/${id}`, cookie);
    expect(html).toContain(
      `<a href="/dashboard/buckets/bkt_default/syncs/syn_default/runs" data-testid="timeline-pass"><code>${run}</code>`,
    );
    expect(html).toContain("its check changed the object");
    // A change a webhook made names no pass.
    h.fake.setWebhookUrl("http://mux-ingest.test/webhooks/mux");
    h.fake.updateAsset(asset.id, { meta: { title: "Edited" } });
    await h.settle();
    const [newest] = (await readObjectStory(h.deps, { objectId: id })).timeline.filter(
      (e) => e.kind === "state",
    );
    expect(newest).toMatchObject({ run_id: null });
  });
});

describe("create the MP4 now", () => {
  async function skippedWithoutMp4() {
    h = await createPipelineWorld({ env: { RENDITION_GRACE_SECONDS: "0" } });
    const asset = h.fake.createAsset({ status: "ready" });
    await h.pass("full");
    await h.settle();
    expect(h.objectOf(asset.id)).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
    return { asset, id: objectIdOf(asset.id) };
  }

  it("is a hint until the sync may ask Mux, then a button that asks, and the asset reaches the pipeline", async () => {
    const { asset, id } = await skippedWithoutMp4();
    const { cookie } = await signIn(h.app, ADMIN_TOKEN);
    let html = await page(`/dashboard/objects/${id}`, cookie);
    expect(html).toContain('data-testid="mp4-hint"');
    expect(html).not.toContain('data-testid="create-mp4"');
    const path = `/v1/buckets/bkt_default/objects/${asset.id}/create-mp4`;
    const refused = await h.api("POST", path);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      "has no create_renditions",
    );

    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", { create_renditions: ["highest"] });
    html = await page(`/dashboard/objects/${id}`, cookie);
    expect(html).toContain('data-testid="create-mp4"');
    expect(html).toContain("ask Mux for highest");
    expect(html).not.toContain('data-testid="mp4-hint"');

    const creates = () => h.fake.stats().renditions.creates[`${asset.id}/highest`] ?? 0;
    expect(creates()).toBe(0);
    const csrf = await csrfOf(h.app, cookie);
    const posted = await postForm(h.app, "/dashboard/object-create-mp4", `object_id=${id}&csrf=${csrf}`, {
      cookie,
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe(`/dashboard/objects/${id}?notice=mp4_requested`);
    await h.settleAll();
    expect(creates()).toBe(1);
    expect(h.objectOf(asset.id)).toMatchObject({
      state: "waiting_for_rendition",
      reason: "rendition_requested",
    });
    for (let i = 0; i < 4; i++) {
      await h.settle();
      await h.drainWithBackoff();
    }
    expect(h.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    expect(
      h.pipeline.accepted.some((d) => d.body.type === "object.ready" && d.body.data.object_id === id),
    ).toBe(true);
    // Done: the object has its MP4, so the action no longer applies.
    expect((await h.api("POST", path)).status).toBe(409);
  });

  it("asks again what Mux refused earlier, not what the service created", async () => {
    const { asset, id } = await skippedWithoutMp4();
    await h.api("PATCH", "/v1/buckets/bkt_default/syncs/syn_default", {
      create_renditions: ["highest", "audio-only"],
    });
    const insert = h.database.sqlite.prepare(
      `INSERT INTO rendition_requests (connection_id, asset_id, resolution, status, token, rendition_id, requested_at, answered_at)
       VALUES ('con_default', ?, ?, ?, ?, ?, 0, 0)`,
    );
    insert.run(asset.id, "highest", "rejected", "t1", null);
    insert.run(asset.id, "audio-only", "created", "t2", "rend_own");
    const answer = await h.api("POST", `/v1/buckets/bkt_default/objects/${asset.id}/create-mp4`);
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({
      object_id: id,
      asset_id: asset.id,
      resolutions: ["highest", "audio-only"],
      asked_again: true,
    });
    const rows = h.database.sqlite
      .prepare("SELECT resolution, status FROM rendition_requests WHERE asset_id = ? ORDER BY resolution")
      .all(asset.id);
    // The refusal is forgotten; the service's own rendition keeps its row.
    expect(rows).toEqual([{ resolution: "audio-only", status: "created" }]);
    await h.settleAll();
    const after = h.database.sqlite
      .prepare("SELECT resolution, status FROM rendition_requests WHERE asset_id = ? ORDER BY resolution")
      .all(asset.id) as Array<{ resolution: string; status: string }>;
    expect(after.find((r) => r.resolution === "highest")?.status).not.toBe("rejected");
  });
});
