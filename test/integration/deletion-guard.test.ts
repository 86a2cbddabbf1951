/**
 * The deletion guard: deletions Mux did not announce (a 404 found by a sweep, no
 * `video.asset.deleted`) are counted per sync over a rolling hour; past `DELETION_GUARD_PERCENT`
 * of its members (and at least five objects) they are held and the sync suspended until a person
 * confirms them or resumes without them. Announced deletions are applied at once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mirror, storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

const MEMBERS = 20;

/** A sync of 20 delivered members, then `gone` of them deleted in Mux without a webhook. */
async function silentDeletions(gone: number, env: Record<string, string> = {}) {
  h = await createPipelineWorld({ env });
  const assets = Array.from({ length: MEMBERS }, () =>
    h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
  );
  await h.pass("full");
  expect(h.pipeline.accepted.length).toBe(MEMBERS);
  h.fake.setFaults({ dropRate: 1 });
  const deleted = assets.slice(0, gone);
  for (const asset of deleted) h.fake.deleteAsset(asset.id);
  await h.fake.settle();
  h.clock.advance(60_000);
  await h.pass("full");
  return { assets, deleted };
}

function counts(ids: readonly string[]) {
  const states = ids.map((id) => h.objectOf(id));
  return {
    deleted: states.filter((o) => o?.state === "deleted").length,
    held: states.filter((o) => o?.state === "delivered" && o.pending_deletion_at !== null).length,
  };
}

const ids = (assets: ReadonlyArray<{ id: string }>) => assets.map((a) => a.id);

describe("unannounced deletions", () => {
  it("applies those under the limit, holds the rest and suspends the sync (20 members, 8 gone)", async () => {
    const { deleted } = await silentDeletions(8);
    // 10 % of 20 is 2, but fewer than five never trip the guard: four are applied, four held.
    expect(counts(ids(deleted))).toEqual({ deleted: 4, held: 4 });
    expect(h.syncRow()).toMatchObject({ status: "suspended", suspension: "deletion_guard" });
    expect(h.syncRow().status_reason).toContain("confirm-deletions");
    const sent = deleted.flatMap((a) => storyOf(h.pipeline.accepted, a.id));
    expect(sent.filter((s) => s === "deleted:deleted_in_mux").length).toBe(4);

    // Suspended: a later pass changes nothing.
    h.clock.advance(60_000);
    await h.pass("full");
    expect(counts(ids(deleted))).toEqual({ deleted: 4, held: 4 });
  });

  it("deletes the held objects, each with object.deleted, once a person confirms", async () => {
    const { assets, deleted } = await silentDeletions(8);
    const response = await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/confirm-deletions");
    expect(response.status).toBe(200);
    await h.runner.drain();
    expect(counts(ids(deleted))).toEqual({ deleted: 8, held: 0 });
    for (const asset of deleted)
      expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready", "deleted:deleted_in_mux"]);
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
    expect([...mirror(h.pipeline.accepted).keys()].sort()).toEqual(ids(assets.slice(8)).sort());
  });

  it("deletes nothing when a person resumes without confirming; still missing, they are held again", async () => {
    const { deleted } = await silentDeletions(8);
    const held = ids(deleted).filter((id) => h.objectOf(id)?.pending_deletion_at !== null);
    expect(held.length).toBe(4);
    // A person resumes a moment later (a pass marks what it checked with its time, and the next
    // pass checks what was last looked at before it started).
    h.clock.advance(1_000);
    expect((await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/resume")).status).toBe(200);
    for (const id of held)
      expect(h.objectOf(id)).toMatchObject({ state: "delivered", pending_deletion_at: null });
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });

    // The pass the resume starts still gets 404 for them: within the hour, the guard holds them again.
    await h.runner.drain();
    for (const id of held) {
      expect(h.objectOf(id)?.state).toBe("delivered");
      expect(storyOf(h.pipeline.accepted, id)).toEqual(["object.ready"]);
    }
    expect(counts(ids(deleted))).toEqual({ deleted: 4, held: 4 });
    expect(h.syncRow().suspension).toBe("deletion_guard");
  });

  it("does not trip below the minimum of five, whatever the share", async () => {
    const { deleted } = await silentDeletions(4);
    expect(counts(ids(deleted))).toEqual({ deleted: 4, held: 0 });
    expect(h.syncRow()).toMatchObject({ status: "active", suspension: null });
  });

  it("follows DELETION_GUARD_PERCENT", async () => {
    const { deleted } = await silentDeletions(8, { DELETION_GUARD_PERCENT: "50" });
    expect(counts(ids(deleted))).toEqual({ deleted: 8, held: 0 });
    expect(h.syncRow().suspension).toBeNull();
  });

  it("counts over a rolling hour: deletions an hour apart do not add up", async () => {
    const { assets, deleted } = await silentDeletions(4);
    expect(counts(ids(deleted))).toEqual({ deleted: 4, held: 0 });
    const later = assets.slice(4, 8);
    for (const asset of later) h.fake.deleteAsset(asset.id);
    await h.fake.settle();
    h.clock.advance(3600_001);
    await h.pass("full");
    expect(counts(ids(later))).toEqual({ deleted: 4, held: 0 });
    expect(h.syncRow().suspension).toBeNull();
  });

  it("releases a hold when the asset turns out to exist after all", async () => {
    const { deleted } = await silentDeletions(8);
    const held = ids(deleted).filter((id) => h.objectOf(id)?.pending_deletion_at !== null);
    // A Mux incident, over: the held assets answer again.
    const back = held[0] as string;
    h.fake.createAsset({ id: back, mp4Support: "standard", status: "ready" });
    await h.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/resume");
    await h.runner.drain();
    h.clock.advance(3600_001);
    await h.pass("full");
    expect(h.objectOf(back)).toMatchObject({ state: "delivered", pending_deletion_at: null });
    // Never deleted; the asset answering again has a new playback id, which the pipeline is told.
    expect(storyOf(h.pipeline.accepted, back)).toEqual(["object.ready", "object.updated"]);
  });
});

describe("announced deletions", () => {
  it("applies every deletion Mux announced at once, beyond the guard's limit", async () => {
    h = await createPipelineWorld();
    const assets = Array.from({ length: MEMBERS }, () =>
      h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
    );
    await h.pass("full");
    const deleted = assets.slice(0, 12);
    for (const asset of deleted) h.fake.deleteAsset(asset.id);
    await h.settle();
    expect(counts(ids(deleted))).toEqual({ deleted: 12, held: 0 });
    expect(h.syncRow().suspension).toBeNull();
    // The sweep that follows finds them gone too, and changes nothing.
    h.clock.advance(60_000);
    await h.pass("full");
    expect(h.syncRow().suspension).toBeNull();
    expect(mirror(h.pipeline.accepted).size).toBe(8);
  });
});
