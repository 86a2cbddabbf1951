/**
 * `video.asset.updated`: after a PATCH through the official SDK (the edit shows over REST and the
 * event carries the full asset), and Mux's own, with nothing changed, that follows
 * `video.asset.ready` for some assets (seeded, opt-in), so a consumer must not take every
 * `updated` for a change.
 */
import Mux from "@mux/mux-node";
import { describe, expect, it } from "vitest";
import { createFakeMux, type FakeMuxOptions, type WebhookEnvelope } from "../../src/fake-mux/index";
import { fakeMuxWithSdk } from "../helpers/fake-mux-sdk";
import { network } from "../helpers/no-network";

const HOOK_URL = "https://hooks.test/updates";

const setup = (options: FakeMuxOptions = {}) => fakeMuxWithSdk(HOOK_URL, Date.UTC(2026, 3, 1, 9), options);

/** A webhook asset in REST's types (string `created_at` and `filesize`), to compare with REST. */
function asRest(data: Record<string, unknown>): Record<string, unknown> {
  const renditions = data.static_renditions as { files?: Array<Record<string, unknown>> } | undefined;
  return {
    ...data,
    created_at: String(data.created_at),
    ...(renditions && {
      static_renditions: {
        ...renditions,
        ...(renditions.files && {
          files: renditions.files.map((f) => ({ ...f, filesize: String(f.filesize) })),
        }),
      },
    }),
  };
}

const updatedOf = (received: WebhookEnvelope[]) => received.filter((e) => e.type === "video.asset.updated");

describe("PATCH /video/v1/assets/:id after ready", () => {
  it("shows the edit over REST and fires video.asset.updated with the full asset", async () => {
    const { fake, mux, received } = setup();
    const { id } = fake.createAsset({
      mp4Support: "capped-1080p",
      passthrough: "before",
      meta: { title: "Old", creator_id: "c1" },
    });
    await fake.settle();
    received.length = 0;

    const answer = await mux.video.assets.update(id, { passthrough: "after", meta: { title: "New title" } });
    expect(answer).toMatchObject({ id, passthrough: "after", meta: { title: "New title" } });
    const rest = await mux.video.assets.retrieve(id);
    expect(rest).toMatchObject({ passthrough: "after", meta: { title: "New title" }, status: "ready" });
    expect(fake.stats().calls["PATCH /video/v1/assets/:id"]).toEqual({ "200": 1 });

    await fake.webhooks.flush();
    expect(received.map((e) => e.type)).toEqual(["video.asset.updated"]);
    const event = received[0];
    expect(event?.object).toEqual({ type: "asset", id });
    expect(typeof event?.data.created_at).toBe("number");
    expect(asRest(event?.data ?? {})).toEqual(rest);

    // Clearing the passthrough with "" is an edit too.
    await mux.video.assets.update(id, { passthrough: "" });
    expect((await mux.video.assets.retrieve(id)).passthrough).toBe("");
    await expect(mux.video.assets.update("noSuchAsset", { passthrough: "x" })).rejects.toBeInstanceOf(
      Mux.NotFoundError,
    );
  });
});

describe("spontaneous video.asset.updated", () => {
  it("is off by default: the lifecycle alone sends no updated", async () => {
    const { fake, received } = setup();
    for (let i = 0; i < 20; i++) fake.createAsset({ staticRenditions: ["highest"] });
    await fake.settle();
    expect(received.length).toBeGreaterThan(0);
    expect(updatedOf(received)).toEqual([]);
  });

  it("follows video.asset.ready after spontaneousUpdateAfterMs, with nothing changed", async () => {
    const { fake, mux, received } = setup({
      lifecycle: { spontaneousUpdateRate: 1, spontaneousUpdateAfterMs: 700, renditionsAfterMs: 3000 },
    });
    const { id } = fake.createAsset({ mp4Support: "capped-1080p", passthrough: "same" });
    await fake.advance(2000);
    const atReady = await mux.video.assets.retrieve(id);
    await fake.advance(699);
    expect(updatedOf(received)).toEqual([]);
    await fake.advance(1);
    expect(received.map((e) => e.type)).toEqual([
      "video.asset.created",
      "video.asset.static_renditions.preparing",
      "video.asset.ready",
      "video.asset.updated",
    ]);
    const [ready, updated] = [received[2], received[3]];
    expect(Date.parse(updated?.created_at ?? "") - Date.parse(ready?.created_at ?? "")).toBe(700);
    expect(updated?.data).toEqual(ready?.data);
    expect(updated?.id).not.toBe(ready?.id); // a new event, not a duplicate delivery
    expect(asRest(updated?.data ?? {})).toEqual(atReady);
    expect(await mux.video.assets.retrieve(id)).toEqual(atReady);
  });

  it("picks assets at the rate, deterministically for a seed, and yields to the spec", async () => {
    const run = async (seed: number) => {
      const { fake, received } = setup({ seed, lifecycle: { spontaneousUpdateRate: 0.5 } });
      const ids = Array.from({ length: 60 }, () => fake.createAsset({}).id);
      await fake.settle();
      const updated = new Set(updatedOf(received).map((e) => e.object.id));
      return ids.map((id) => updated.has(id));
    };
    const first = await run(4);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);
    network.resetHandlers();
    expect(await run(4)).toEqual(first);
    network.resetHandlers();
    expect(await run(5)).not.toEqual(first);
  });

  it("yields to the asset's spec, on the handle and the control API", async () => {
    const always = createFakeMux({
      lifecycle: { spontaneousUpdateRate: 1 },
      signingKey: { id: "k", privateKeyBase64: "x" },
    });
    const kept = always.createAsset({});
    always.createAsset({ spontaneousUpdate: false });
    const control = await always.fetch(
      new Request("http://fake/_fake/assets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ spontaneousUpdate: false }),
      }),
    );
    expect(control.status).toBe(201);
    const never = createFakeMux({ signingKey: { id: "k", privateKeyBase64: "x" } });
    const forced = never.createAsset({ spontaneousUpdate: true });
    never.createAsset({});
    await always.settle();
    await never.settle();
    const updatedIds = (log: WebhookEnvelope[]) =>
      log.filter((e) => e.type === "video.asset.updated").map((e) => e.object.id);
    expect(updatedIds(always.eventLog())).toEqual([kept.id]);
    expect(updatedIds(never.eventLog())).toEqual([forced.id]);
  });

  it("also follows the ready of a generated library's assets that were still preparing", async () => {
    const { fake, received } = setup({ lifecycle: { spontaneousUpdateRate: 1 } });
    const preparing = fake.generateLibrary(60, 3).filter((a) => a.status === "preparing");
    expect(preparing.length).toBeGreaterThan(0);
    await fake.settle();
    const readied = received.filter((e) => e.type === "video.asset.ready").map((e) => e.object.id);
    expect(updatedOf(received).map((e) => e.object.id)).toEqual(readied);
    expect(new Set(readied)).toEqual(new Set(preparing.map((a) => a.id)));
  });
});
