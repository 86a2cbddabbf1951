import { describe, expect, it } from "vitest";
import { createFakeMux, type FakeMuxOptions } from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { sdkClient } from "../helpers/fake-mux-sdk";
import { network } from "../helpers/no-network";

function setup(options: FakeMuxOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 4, 1, 9));
  const fake = createFakeMux({
    clock,
    rateLimit: null,
    signingKey: { id: "unused", privateKeyBase64: "unused" },
    ...options,
  });
  network.use(...fakeMuxHandlers(fake));
  const mux = sdkClient(fake.credentials.tokenId, fake.credentials.tokenSecret);
  /** Creates assets one second apart, named by passthrough; returns their ids. */
  const create = (...names: string[]) =>
    names.map((name) => {
      clock.advance(1000);
      return fake.createAsset({ status: "ready", passthrough: name }).id;
    });
  return { fake, clock, mux, create };
}

const names = (assets: Array<{ passthrough?: string }>) => assets.map((a) => a.passthrough);
const decode = (cursor: string | null | undefined) =>
  JSON.parse(Buffer.from(cursor ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

describe("the list cursor", () => {
  it("is stable by default: inserts between pages neither repeat nor skip anything", async () => {
    const { mux, create } = setup();
    create("a1", "a2", "a3", "a4", "a5");
    const first = await mux.video.assets.list({ limit: 2 });
    expect(names(first.data)).toEqual(["a5", "a4"]);
    create("b1", "b2");
    const second = await first.getNextPage();
    expect(names(second.data)).toEqual(["a3", "a2"]);
    expect(names((await second.getNextPage()).data)).toEqual(["a1"]);
  });

  it("as an offset, repeats the assets that inserts pushed down onto the next page", async () => {
    const { mux, create } = setup({ listing: { cursor: "offset" } });
    create("a1", "a2", "a3", "a4", "a5");
    const first = await mux.video.assets.list({ limit: 2 });
    expect(decode(first.next_cursor)).toEqual({ page_limit: 2, page_count: 1 });
    create("b1", "b2");
    const second = await first.getNextPage();
    expect(names(second.data)).toEqual(["a5", "a4"]); // the same two again
    expect(decode(second.next_cursor)).toEqual({ page_limit: 2, page_count: 2 });
    const third = await second.getNextPage();
    expect(names(third.data)).toEqual(["a3", "a2"]);
    const last = await third.getNextPage();
    expect(names(last.data)).toEqual(["a1"]);
    expect(last.hasNextPage()).toBe(false);
  });

  it("as an offset, skips an asset that a delete pulled up onto the page already served", async () => {
    const { fake, mux, create } = setup({ listing: { cursor: "offset" } });
    const [, , , , a5] = create("a1", "a2", "a3", "a4", "a5");
    const first = await mux.video.assets.list({ limit: 2 });
    fake.deleteAsset(a5 ?? "");
    const second = await first.getNextPage();
    expect(names(second.data)).toEqual(["a2", "a1"]); // a3 never seen
    expect(second.hasNextPage()).toBe(false);
  });

  it("auto-paginates through the SDK with the duplicates an offset cursor gives", async () => {
    const walk = async (cursor: "stable" | "offset") => {
      const { mux, create } = setup({ listing: { cursor } });
      create("a1", "a2", "a3", "a4", "a5", "a6");
      const seen: Array<string | undefined> = [];
      for await (const asset of mux.video.assets.list({ limit: 3 })) {
        seen.push(asset.passthrough);
        if (seen.length === 3) create("n1", "n2", "n3");
      }
      return seen;
    };
    expect(await walk("stable")).toEqual(["a6", "a5", "a4", "a3", "a2", "a1"]);
    network.resetHandlers();
    expect(await walk("offset")).toEqual(["a6", "a5", "a4", "a6", "a5", "a4", "a3", "a2", "a1"]);
  });
});

describe("the list order", () => {
  it("can be oldest first", async () => {
    const { mux, create } = setup({ listing: { order: "oldest-first" } });
    create("a1", "a2", "a3");
    expect(names((await mux.video.assets.list({ limit: 10 })).data)).toEqual(["a1", "a2", "a3"]);
  });

  it("can be by id or shuffled (seeded), neither sorted by created_at, each walked completely", async () => {
    const walk = async (listing: FakeMuxOptions["listing"]) => {
      const { mux, create } = setup({ listing });
      const created = create(...Array.from({ length: 30 }, (_, i) => `a${i}`));
      const seen: Array<{ id: string; created_at: string }> = [];
      for await (const asset of mux.video.assets.list({ limit: 7 })) seen.push(asset);
      network.resetHandlers();
      return { created, seen, ids: seen.map((a) => a.id) };
    };
    const newestFirst = (seen: Array<{ created_at: string }>) =>
      seen.every((a, i) => i === 0 || Number(seen[i - 1]?.created_at) >= Number(a.created_at));

    const byId = await walk({ order: "by-id" });
    expect(byId.ids).toEqual([...byId.created].sort());
    expect(newestFirst(byId.seen)).toBe(false);

    const shuffled = await walk({ order: "shuffled", shuffleSeed: 9 });
    expect(new Set(shuffled.ids)).toEqual(new Set(shuffled.created));
    expect(shuffled.ids).toHaveLength(30);
    expect(shuffled.ids).not.toEqual([...shuffled.created].sort());
    expect(newestFirst(shuffled.seen)).toBe(false);
    expect((await walk({ order: "shuffled", shuffleSeed: 9 })).ids).toEqual(shuffled.ids);
    expect((await walk({ order: "shuffled", shuffleSeed: 10 })).ids).not.toEqual(shuffled.ids);
  });

  it("switches mid-walk from the handle and the control API", async () => {
    const { fake, mux, create } = setup();
    create("a1", "a2", "a3", "a4", "a5");
    const first = await mux.video.assets.list({ limit: 2 });
    expect(names(first.data)).toEqual(["a5", "a4"]);

    // The cursor names a4; in the new order only a5 comes after it.
    fake.setListing({ order: "oldest-first", cursor: "offset" });
    const second = await first.getNextPage();
    expect(names(second.data)).toEqual(["a5"]);
    const fresh = await mux.video.assets.list({ limit: 2 });
    expect(names(fresh.data)).toEqual(["a1", "a2"]);
    expect(decode(fresh.next_cursor)).toEqual({ page_limit: 2, page_count: 1 });

    const response = await fake.fetch(
      new Request("http://fake/_fake/listing", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ order: "newest-first", cursor: "stable" }),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      listing: { order: "newest-first", cursor: "stable", shuffleSeed: 1 },
    });
    // An offset cursor handed out before still reads as an offset.
    expect(names((await fresh.getNextPage()).data)).toEqual(["a3", "a2"]);
    expect(names((await mux.video.assets.list({ limit: 2 })).data)).toEqual(["a5", "a4"]);
    expect(fake.listAssets().map((a) => a.passthrough)).toEqual(["a5", "a4", "a3", "a2", "a1"]);
  });
});
