/**
 * Mux does not document the order of `GET /video/v1/assets`, nor how its cursor behaves while the
 * library changes. An incremental pass stops early only along a listing newest first; any other
 * order makes it a full sweep (`order_violation`). An offset cursor that repeats or skips assets
 * between pages neither duplicates a delivery nor deletes anything; an asset a shift skipped is
 * listed by the next sweep.
 */
import { http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import type { ListOrder } from "../../src/fake-mux/index";
import { network } from "../helpers/no-network";
import { mirror, storyOf } from "../helpers/pipeline-mirror";
import { createPipelineWorld, type PipelineWorld } from "../helpers/pipeline-world";

let h: PipelineWorld;
afterEach(() => h?.close());

const DAY_MS = 86_400_000;

/** A library built over months (250 assets), mirrored by a first pass. */
async function olderLibrary(size = 250) {
  h = await createPipelineWorld();
  const old = Array.from({ length: size }, (_, i) =>
    h.fake.createAsset({
      mp4Support: "standard",
      status: "ready",
      createdAt: h.clock.now() - (size - i) * DAY_MS,
    }),
  );
  await h.pass("initial");
  expect(h.pipeline.accepted.length).toBe(size);
  return old;
}

function lastRun() {
  return h.database.sqlite
    .prepare("select kind, pages, order_violation from runs order by started_at desc, rowid desc limit 1")
    .get() as { kind: string; pages: number; order_violation: number };
}

describe("the listing's order", () => {
  it("stops an incremental pass after the new assets when Mux lists newest first", async () => {
    await olderLibrary();
    h.fake.setFaults({ dropRate: 1 });
    const missed = [h.fake.createAsset({ mp4Support: "standard", status: "ready" })];
    await h.fake.settle();
    h.clock.advance(1000);
    await h.pass("triggered");
    expect(lastRun()).toMatchObject({ kind: "triggered", order_violation: 0, pages: 1 });
    expect(storyOf(h.pipeline.accepted, missed[0]?.id ?? "")).toEqual(["object.ready"]);
  });

  for (const order of ["oldest-first", "by-id", "shuffled"] satisfies ListOrder[]) {
    it(`sweeps the whole library and records order_violation when Mux lists ${order}`, async () => {
      const old = await olderLibrary();
      h.fake.setListing({ order });
      h.fake.setFaults({ dropRate: 1 });
      const missed = Array.from({ length: 3 }, () =>
        h.fake.createAsset({ mp4Support: "standard", status: "ready" }),
      );
      await h.fake.settle();
      h.clock.advance(1000);
      await h.pass("triggered");
      expect(lastRun()).toMatchObject({ kind: "full", order_violation: 1, pages: 3 });
      for (const asset of missed) expect(storyOf(h.pipeline.accepted, asset.id)).toEqual(["object.ready"]);
      expect(mirror(h.pipeline.accepted).size).toBe(old.length + missed.length);
    });
  }
});

describe("an offset cursor while the library changes", () => {
  it("delivers each asset once when inserts repeat some between pages; a skipped one comes with the next sweep", async () => {
    h = await createPipelineWorld({
      adjust: (settings) => {
        settings.reconcile.maxPagesPerRun = 1;
      },
    });
    h.fake.setListing({ cursor: "offset" });
    h.fake.setFaults({ dropRate: 1 });
    const library = Array.from({ length: 250 }, (_, i) =>
      h.fake.createAsset({
        mp4Support: "standard",
        status: "ready",
        createdAt: h.clock.now() - (250 - i) * DAY_MS,
      }),
    );
    const newest = library.slice(-3).map((a) => a.id);
    // Before page 2, five new assets shift the listing down (repeats); before page 3, three
    // deletions near its head shift it up (skips). No webhook tells of either.
    let listCalls = 0;
    const inserted: string[] = [];
    network.use(
      http.get("https://api.mux.com/video/v1/assets", () => {
        listCalls++;
        if (listCalls === 2)
          for (let i = 0; i < 5; i++)
            inserted.push(h.fake.createAsset({ mp4Support: "standard", status: "ready" }).id);
        if (listCalls === 3) for (const id of newest) h.fake.deleteAsset(id);
        return undefined;
      }),
    );
    await h.pass("full");
    const existing = new Set(h.fake.listAssets().map((a) => a.id));
    // Repeats are harmless (each asset ingested once). Unknown to this sweep: the five inserted
    // behind its cursor (their webhooks were lost) and the three the shift skipped.
    const unknown = [...existing].filter((id) => h.objectOf(id) === undefined);
    expect(unknown.length).toBe(5 + 3);
    expect(unknown.filter((id) => !inserted.includes(id)).length).toBe(3);

    // The next sweep lists all eight, and misses the three deleted ones: gone.
    h.clock.advance(60_000);
    await h.pass("full");
    expect([...mirror(h.pipeline.accepted).keys()].sort()).toEqual([...existing].sort());
    for (const id of existing) expect(storyOf(h.pipeline.accepted, id)).toEqual(["object.ready"]);
    for (const id of newest)
      expect(storyOf(h.pipeline.accepted, id)).toEqual(["object.ready", "deleted:deleted_in_mux"]);
    expect(existing.size).toBe(250 + 5 - 3);
  });
});
