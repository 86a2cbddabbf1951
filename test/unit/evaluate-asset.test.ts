import { describe, expect, it } from "vitest";
import { RENDITION_MESSAGES } from "../../src/mux/renditions";
import { type MuxAsset, muxAssetSchema } from "../../src/mux/schemas";
import {
  type EvaluationContext,
  evaluateAsset,
  NO_STATIC_RENDITIONS_HELP,
} from "../../src/sync/evaluate-asset";
import { fileFiltersSchema } from "../../src/sync/filters";

const NOW = 1_750_000_000_000;
const GRACE = 3_600_000;

/** Through the real schema, so Mux's quirks (string sizes, created_at) are normalised as in production. */
function asset(fields: Record<string, unknown> = {}): MuxAsset {
  return muxAssetSchema.parse({
    id: "asset-1",
    status: "ready",
    created_at: "1700000000",
    playback_ids: [{ id: "play-public", policy: "public" }],
    tracks: [{ type: "video" }, { type: "audio" }],
    ...fields,
  });
}

function context(overrides: Partial<EvaluationContext> = {}): EvaluationContext {
  return {
    filters: fileFiltersSchema.parse({}),
    renditionPreference: null,
    hasSigningKey: false,
    now: NOW,
    waitingSince: null,
    renditionGraceMs: GRACE,
    ...overrides,
  };
}

/** Legacy `mp4_support` files (no status of their own); sizes as a real 2020 payload had them. */
const legacyFiles = {
  status: "ready",
  files: [
    { name: "high.mp4", ext: "mp4", width: 1280, height: 720, bitrate: 2_000_000, filesize: "9000000" },
    { name: "low.mp4", ext: "mp4", width: 576, height: 360, bitrate: 233600, filesize: 1284970 },
    { name: "medium.mp4", ext: "mp4", width: 640, height: 400, bitrate: 221848, filesize: 1220345 },
  ],
};
const low = { name: "low.mp4", width: 576, height: 360, bitrate: 233600, filesize: 1284970 };
const medium = { name: "medium.mp4", width: 640, height: 400, bitrate: 221848, filesize: 1220345 };
const high = { name: "high.mp4", width: 1280, height: 720, bitrate: 2_000_000, filesize: 9_000_000 };

/** A Static Renditions API file that is still being made: the asset must wait for it. */
const preparing = {
  static_renditions: { files: [{ id: "sr-1", name: "highest.mp4", status: "preparing" }] },
};

const SIGNED_WITHOUT_KEY =
  "The asset only has a signed playback ID and the connection has no signing key: " +
  "add signing_key_id and signing_private_key (MUX_SIGNING_KEY / MUX_PRIVATE_KEY) to download it";

describe("evaluateAsset: the gates before a rendition", () => {
  const keepOnly = fileFiltersSchema.parse({
    metadata_filters: [{ field: "passthrough", operator: "equals", value: "keep" }],
  });

  it("skips an asset the sync's filters reject, naming the failed rule", () => {
    expect(evaluateAsset(asset({ passthrough: "other" }), context({ filters: keepOnly }))).toEqual({
      state: "skipped",
      reason: "filtered",
      message: 'passthrough is "other", not "keep"',
    });
  });

  it("applies the filters before anything else: a filtered errored asset is filtered", () => {
    const errored = asset({ status: "errored", passthrough: "other", errors: { messages: ["bad"] } });
    expect(evaluateAsset(errored, context({ filters: keepOnly }))).toMatchObject({ reason: "filtered" });
  });

  it("lets an asset the filters accept through", () => {
    const result = evaluateAsset(
      asset({ passthrough: "keep", static_renditions: legacyFiles }),
      context({ filters: keepOnly }),
    );
    expect(result.state).toBe("ready");
  });

  it("skips an errored asset with Mux's own error messages", () => {
    const errored = asset({
      status: "errored",
      errors: { type: "invalid_input", messages: ["Invalid input file", "Unsupported codec"] },
    });
    expect(evaluateAsset(errored, context())).toEqual({
      state: "skipped",
      reason: "asset_errored",
      message: "Mux could not process the asset: Invalid input file; Unsupported codec",
    });
  });

  it.each([
    ["only an error type", { type: "invalid_input", messages: [] }, "invalid_input"],
    ["an empty errors object", {}, "no details from Mux"],
    ["no errors at all", undefined, "no details from Mux"],
  ])("falls back when Mux gives %s", (_label, errors, details) => {
    const errored = asset({ status: "errored", ...(errors ? { errors } : {}) });
    expect(evaluateAsset(errored, context())).toEqual({
      state: "skipped",
      reason: "asset_errored",
      message: `Mux could not process the asset: ${details}`,
    });
  });

  it.each([
    ["preparing", "The asset is preparing in Mux"],
    [undefined, "The asset is not ready in Mux"],
    ["something_new", "The asset is something_new in Mux"],
  ])("waits for an asset whose status is %s", (status, message) => {
    expect(evaluateAsset(asset({ status }), context())).toEqual({ state: "waiting_for_asset", message });
  });
});

describe("evaluateAsset: the playback id", () => {
  it("skips an asset without playback ids", () => {
    expect(evaluateAsset(asset({ playback_ids: [], static_renditions: legacyFiles }), context())).toEqual({
      state: "skipped",
      reason: "no_playback_id",
      message:
        "This asset has no public or signed playback ID, so its MP4 cannot be fetched: add one to the asset in Mux",
    });
  });

  it("skips an asset whose only playback ids are DRM", () => {
    const drm = asset({ playback_ids: [{ id: "play-drm", policy: "drm" }], static_renditions: legacyFiles });
    expect(evaluateAsset(drm, context({ hasSigningKey: true }))).toEqual({
      state: "skipped",
      reason: "drm_only",
      message:
        "This asset only has DRM playback IDs, which cannot serve MP4 renditions: add a public or signed playback ID to the asset",
    });
  });

  it("skips a signed-only asset when the connection has no signing key", () => {
    const signed = asset({
      playback_ids: [{ id: "play-signed", policy: "signed" }],
      static_renditions: legacyFiles,
    });
    expect(evaluateAsset(signed, context({ hasSigningKey: false }))).toEqual({
      state: "skipped",
      reason: "signed_without_key",
      message: SIGNED_WITHOUT_KEY,
    });
  });

  it("uses the signed id when the connection has a signing key", () => {
    const signed = asset({
      playback_ids: [
        { id: "play-drm", policy: "drm" },
        { id: "play-signed", policy: "signed" },
      ],
      static_renditions: legacyFiles,
    });
    expect(evaluateAsset(signed, context({ hasSigningKey: true }))).toMatchObject({
      state: "ready",
      playback: { id: "play-signed", policy: "signed" },
    });
  });

  it("prefers a public id over a signed one, so no key is needed", () => {
    const both = asset({
      playback_ids: [
        { id: "play-signed", policy: "signed" },
        { id: "play-public", policy: "public" },
      ],
      static_renditions: legacyFiles,
    });
    expect(evaluateAsset(both, context({ hasSigningKey: false }))).toMatchObject({
      state: "ready",
      playback: { id: "play-public", policy: "public" },
    });
  });
});

describe("evaluateAsset: the rendition", () => {
  it("is ready with every listed file, in the default preference order", () => {
    expect(evaluateAsset(asset({ static_renditions: legacyFiles }), context())).toEqual({
      state: "ready",
      playback: { id: "play-public", policy: "public" },
      candidates: [low, medium, high],
    });
  });

  it("follows the sync's rendition_preference, then the rest smallest first", () => {
    const result = evaluateAsset(
      asset({ static_renditions: legacyFiles }),
      context({ renditionPreference: ["high", "medium.mp4"] }),
    );
    expect(result).toEqual({
      state: "ready",
      playback: { id: "play-public", policy: "public" },
      candidates: [high, medium, low],
    });
  });

  it("probes the legacy names when mp4_support is on but no file is listed", () => {
    expect(evaluateAsset(asset({ mp4_support: "standard" }), context())).toEqual({
      state: "probe",
      playback: { id: "play-public", policy: "public" },
      names: ["low.mp4", "medium.mp4", "high.mp4", "capped-1080p.mp4"],
    });
  });

  it("probes the preferred names first, dropping those a legacy asset cannot have", () => {
    const result = evaluateAsset(
      asset({ mp4_support: "capped-1080p" }),
      context({ renditionPreference: ["highest", "capped-1080p"] }),
    );
    expect(result).toMatchObject({
      state: "probe",
      names: ["capped-1080p.mp4", "low.mp4", "medium.mp4", "high.mp4"],
    });
  });
});

describe("evaluateAsset: the grace period for a missing MP4", () => {
  it("waits for a rendition that is still being made, before the grace period ends", () => {
    const result = evaluateAsset(asset(preparing), context({ waitingSince: NOW - GRACE + 1 }));
    expect(result).toEqual({ state: "waiting_for_rendition", message: RENDITION_MESSAGES.preparing });
  });

  it("skips with no_static_renditions once it has waited exactly the grace period", () => {
    expect(evaluateAsset(asset(preparing), context({ waitingSince: NOW - GRACE }))).toEqual({
      state: "skipped",
      reason: "no_static_renditions",
      message: `${NO_STATIC_RENDITIONS_HELP}. ${RENDITION_MESSAGES.preparing}`,
    });
    expect(NO_STATIC_RENDITIONS_HELP).toContain("POST /video/v1/assets/{ASSET_ID}/static-renditions");
  });

  it("skips after the grace period too", () => {
    expect(evaluateAsset(asset(preparing), context({ waitingSince: NOW - 10 * GRACE }))).toMatchObject({
      state: "skipped",
      reason: "no_static_renditions",
    });
  });

  it("counts a first wait (waitingSince null) as no time waited", () => {
    const result = evaluateAsset(
      asset(preparing),
      context({ waitingSince: null, now: Number.MAX_SAFE_INTEGER }),
    );
    expect(result).toEqual({ state: "waiting_for_rendition", message: RENDITION_MESSAGES.preparing });
    // ...so only a zero grace period skips at once.
    expect(
      evaluateAsset(asset(preparing), context({ waitingSince: null, renditionGraceMs: 0 })),
    ).toMatchObject({
      state: "skipped",
      reason: "no_static_renditions",
    });
  });

  it("waits, with the reason, for an asset that has no static renditions at all", () => {
    expect(evaluateAsset(asset(), context({ waitingSince: NOW }))).toEqual({
      state: "waiting_for_rendition",
      message: RENDITION_MESSAGES.noStaticRenditions,
    });
    expect(evaluateAsset(asset(), context({ waitingSince: NOW - GRACE }))).toEqual({
      state: "skipped",
      reason: "no_static_renditions",
      message: `${NO_STATIC_RENDITIONS_HELP}. ${RENDITION_MESSAGES.noStaticRenditions}`,
    });
  });
});
