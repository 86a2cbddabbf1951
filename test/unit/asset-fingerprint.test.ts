/**
 * `assetFingerprint` tells a listing whether an asset changed since it was judged: it must move
 * with every field the service reads, and stay put for everything else (fields Mux adds, key
 * order), or sweeps would either miss edits or re-judge the whole library each time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assetFingerprint } from "../../src/mux/asset-fingerprint";
import { type MuxAsset, muxAssetSchema } from "../../src/mux/schemas";

const text = fc.string({ maxLength: 12 });
/** Ids and file names as Mux makes them: anything else is refused where the asset is parsed. */
const muxId = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
const fileName = fc.constantFrom(
  "low.mp4",
  "medium.mp4",
  "highest.mp4",
  "capped-1080p.mp4",
  "720p.mp4",
  "audio.m4a",
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const file = fc.record({
  id: maybe(muxId),
  name: fileName,
  ext: maybe(fc.constantFrom("mp4", "m4a")),
  status: maybe(fc.constantFrom("ready", "preparing", "skipped", "errored")),
  height: maybe(fc.integer({ min: 0, max: 4320 })),
  filesize: maybe(fc.integer({ min: 0, max: 1e9 })),
});

const textTrack = fc.record({
  id: muxId,
  type: fc.constant("text"),
  status: fc.constantFrom("ready", "preparing"),
  text_source: maybe(fc.constantFrom("uploaded", "generated_vod")),
  language_code: maybe(text),
  name: maybe(text),
});
const otherTrack = fc.record({ id: muxId, type: fc.constantFrom("video", "audio") });

const asset: fc.Arbitrary<MuxAsset> = fc
  .record({
    id: muxId,
    status: maybe(fc.constantFrom("ready", "preparing", "errored")),
    passthrough: maybe(text),
    meta: maybe(fc.record({ title: maybe(text), creator_id: maybe(text), external_id: maybe(text) })),
    playback_ids: maybe(
      fc.array(fc.record({ id: muxId, policy: fc.constantFrom("public", "signed", "drm") })),
    ),
    static_renditions: maybe(
      fc.record({
        status: maybe(fc.constantFrom("ready", "preparing")),
        files: maybe(fc.array(file, { maxLength: 4 })),
      }),
    ),
    mp4_support: maybe(fc.constantFrom("none", "standard", "capped-1080p")),
    duration: maybe(fc.double({ min: 0, max: 43200, noNaN: true })),
    is_live: maybe(fc.boolean()),
    tracks: maybe(fc.array(fc.oneof(textTrack, otherTrack), { maxLength: 4 })),
  })
  .map((raw) => muxAssetSchema.parse(raw));

/** One change of a field the service reads, as a function of the asset. */
const edits: Array<[string, (a: MuxAsset) => MuxAsset]> = [
  ["passthrough", (a) => ({ ...a, passthrough: `${a.passthrough ?? ""}x` })],
  ["meta.title", (a) => ({ ...a, meta: { ...a.meta, title: `${a.meta?.title ?? ""}x` } })],
  ["status", (a) => ({ ...a, status: a.status === "ready" ? "errored" : "ready" })],
  [
    "playback_ids",
    (a) => ({ ...a, playback_ids: [...(a.playback_ids ?? []), { id: "new", policy: "public" }] }),
  ],
  ["mp4_support", (a) => ({ ...a, mp4_support: a.mp4_support === "none" ? "standard" : "none" })],
  ["is_live", (a) => ({ ...a, is_live: !a.is_live })],
  [
    "a file's status",
    (a) => ({
      ...a,
      static_renditions: {
        ...a.static_renditions,
        files: [...(a.static_renditions?.files ?? []), { name: "added.mp4", status: "ready" }],
      },
    }),
  ],
  [
    "a caption that becomes ready",
    (a) => ({ ...a, tracks: [...(a.tracks ?? []), { id: "cc1", type: "text", status: "ready" }] }),
  ],
  [
    "a text track's status, name or language",
    (a) => {
      const tracks = [...(a.tracks ?? []), { id: "cc2", type: "text", status: "preparing", name: "English" }];
      return {
        ...a,
        tracks: tracks.map((t) => (t.id === tracks.at(-1)?.id ? { ...t, status: "ready" } : t)),
      };
    },
  ],
];

/** A caption's lifecycle, each step a reading a listing may show. */
const CAPTION_STEPS: Array<Array<Record<string, unknown>>> = [
  [],
  [{ id: "cc1", type: "text", status: "preparing", text_source: "generated_vod", name: "English" }],
  [{ id: "cc1", type: "text", status: "ready", text_source: "generated_vod", name: "English" }],
  [{ id: "cc1", type: "text", status: "ready", text_source: "generated_vod", name: "English (CC)" }],
  [
    {
      id: "cc1",
      type: "text",
      status: "ready",
      text_source: "generated_vod",
      name: "English (CC)",
      language_code: "en-US",
    },
  ],
];

describe("assetFingerprint", () => {
  it("changes with every field the service reads", () => {
    fc.assert(
      fc.property(asset, fc.constantFrom(...edits), (a, [field, edit]) => {
        expect(assetFingerprint(edit(a)), field).not.toBe(assetFingerprint(a));
      }),
    );
  });

  it("ignores fields it does not read and the order of keys", () => {
    fc.assert(
      fc.property(asset, text, (a, extra) => {
        const reordered = Object.fromEntries(Object.entries(a).reverse()) as MuxAsset;
        const withExtra = { ...a, progress: { state: extra }, updated_at: extra } as MuxAsset;
        expect(assetFingerprint(reordered)).toBe(assetFingerprint(a));
        expect(assetFingerprint(withExtra)).toBe(assetFingerprint(a));
      }),
    );
  });

  it("changes with each step of a caption's life: created, ready, renamed, relabelled, deleted", () => {
    const base = muxAssetSchema.parse({ id: "a1", status: "ready", tracks: [{ id: "v1", type: "video" }] });
    const prints = CAPTION_STEPS.map((text) =>
      assetFingerprint(muxAssetSchema.parse({ ...base, tracks: [...(base.tracks ?? []), ...text] })),
    );
    expect(new Set(prints).size).toBe(CAPTION_STEPS.length);
  });

  it("keeps the fingerprint an asset without text tracks had before tracks were read in full", () => {
    // The value stored objects hold from before (computed by the previous version): a changed
    // one would re-judge every asset of every library once.
    const plain = muxAssetSchema.parse({
      id: "a1",
      status: "ready",
      tracks: [
        { id: "v1", type: "video", max_width: 1920 },
        { id: "s1", type: "audio", primary: true },
      ],
    });
    expect(assetFingerprint(plain)).toBe("e0210be0429516c8");
  });

  it("is 16 hex digits, the same for the same reading", () => {
    fc.assert(
      fc.property(asset, (a) => {
        const print = assetFingerprint(a);
        expect(print).toMatch(/^[0-9a-f]{16}$/);
        expect(assetFingerprint(structuredClone(a))).toBe(print);
      }),
    );
  });
});
