/**
 * The seeded library against real Mux, where MP4s are opt-in: about 40 % of its assets have no
 * MP4 support at all (neither `mp4_support` nor static renditions), the rest of the mix is kept,
 * and every kind still means what it says.
 */
import Mux from "@mux/mux-node";
import { describe, expect, it } from "vitest";
import { createFakeMux, type FakeAsset, librarySpecs } from "../../src/fake-mux/index";
import { seededRandom } from "../../src/fake-mux/random";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "../helpers/fake-mux-msw";
import { network } from "../helpers/no-network";

const NO_KEY = { signingKey: { id: "unused", privateKeyBase64: "unused" } };
const NOW = Date.UTC(2026, 6, 1);

/** Mux shows no MP4 support as no `static_renditions` and `mp4_support` absent or `none`. */
const withoutMp4 = (a: FakeAsset) =>
  a.static_renditions === undefined && (a.mp4_support === undefined || a.mp4_support === "none");

function library(count: number, seed: number): FakeAsset[] {
  return createFakeMux({ clock: new ManualClock(NOW), ...NO_KEY }).generateLibrary(count, seed);
}

describe("the seeded library", () => {
  it("has no MP4 support on 35–45 % of its assets, over several seeds and sizes", () => {
    for (const seed of [1, 7, 11, 42, 2026]) {
      for (const count of [60, 500]) {
        const assets = library(count, seed);
        const share = assets.filter(withoutMp4).length / assets.length;
        expect({ seed, count, share: share >= 0.35 && share <= 0.45 }).toEqual({ seed, count, share: true });
      }
    }
  });

  it("shows the same share over REST, through the SDK", async () => {
    const fake = createFakeMux({ clock: new ManualClock(NOW), rateLimit: null, ...NO_KEY });
    fake.generateLibrary(250, 5);
    network.use(...fakeMuxHandlers(fake));
    const mux = new Mux({
      baseURL: "https://api.mux.com",
      tokenId: fake.credentials.tokenId,
      tokenSecret: fake.credentials.tokenSecret,
      maxRetries: 0,
      webhookSecret: null,
      jwtSigningKey: null,
      jwtPrivateKey: null,
      authorizationToken: null,
    });
    const seen: FakeAsset[] = [];
    for await (const asset of mux.video.assets.list({ limit: 100 })) seen.push(asset as FakeAsset);
    expect(seen).toHaveLength(250);
    const share = seen.filter(withoutMp4).length / seen.length;
    expect(share).toBeGreaterThanOrEqual(0.35);
    expect(share).toBeLessThanOrEqual(0.45);
    expect(seen.filter(withoutMp4).length).toBe(fake.listAssets().filter(withoutMp4).length);
  });

  it("keeps each kind's meaning: no-mp4 has none, every other kind asks for MP4s", () => {
    for (const seed of [3, 8]) {
      for (const { kind, spec } of librarySpecs(400, seededRandom(seed), NOW)) {
        const asksForMp4 = Boolean(spec.staticRenditions?.length) || (spec.mp4Support ?? "none") !== "none";
        expect({ kind, asksForMp4 }).toEqual({ kind, asksForMp4: kind !== "no-mp4" });
      }
    }
  });

  it("keeps the rest of the mix", () => {
    const assets = library(500, 13);
    const policies = (a: FakeAsset) => (a.playback_ids ?? []).map((p) => p.policy).join(",");
    const has = {
      publicMp4: assets.some((a) => policies(a) === "public" && !withoutMp4(a)),
      signed: assets.some((a) => policies(a) === "signed"),
      publicAndSigned: assets.some((a) => policies(a) === "public,signed"),
      drmOnly: assets.some((a) => policies(a) === "drm"),
      noPlaybackId: assets.some((a) => !a.playback_ids),
      errored: assets.some((a) => a.status === "errored"),
      preparing: assets.some((a) => a.status === "preparing"),
      legacy: assets.some((a) => a.mp4_support !== undefined && a.mp4_support !== "none"),
      staticRenditionsApi: assets.some((a) => a.static_renditions?.files?.some((f) => f.id)),
      audioOnly: assets.some((a) => a.status === "ready" && a.resolution_tier === "audio-only"),
      legacyNone: assets.some((a) => a.mp4_support === "none"),
    };
    expect(Object.entries(has).filter(([, present]) => !present)).toEqual([]);
    expect(library(500, 13)).toEqual(assets); // deterministic for a seed
  });
});
