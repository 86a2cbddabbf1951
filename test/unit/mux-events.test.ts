import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventTarget } from "../../src/mux/events";
import { webhookEnvelopeSchema } from "../../src/mux/schemas";

const ASSET_EVENTS = [
  "video.asset.created",
  "video.asset.ready",
  "video.asset.updated",
  "video.asset.errored",
  "video.asset.deleted",
  "video.asset.live_stream_completed",
  "video.asset.static_renditions.preparing",
  "video.asset.static_renditions.ready",
  "video.asset.static_renditions.deleted",
  "video.asset.static_renditions.errored",
];

const RENDITION_EVENTS = [
  "video.asset.static_rendition.created",
  "video.asset.static_rendition.ready",
  "video.asset.static_rendition.skipped",
  "video.asset.static_rendition.errored",
  "video.asset.static_rendition.deleted",
];

/** Through the real schema, as the webhook route parses it. */
function envelope(type: string, fields: Record<string, unknown> = {}) {
  return webhookEnvelopeSchema.parse({ id: "evt-1", type, ...fields });
}

const LONGEST_ID = "a".repeat(255);
const INVALID_IDS: Array<[string, unknown]> = [
  ["empty", ""],
  ["a number", 42],
  ["null", null],
  ["an object", { id: "asset-1" }],
  ["256 characters", "a".repeat(256)],
  ["a path that climbs to the storage root", "x/../.."],
  ["a dot segment", ".."],
  ["a backslash path", "a\\..\\b"],
  ["a NUL", "a\u0000b"],
  ["a terminal escape", "a\u001b[2J"],
];

describe("eventTarget: asset events", () => {
  it.each(ASSET_EVENTS)("%s names the asset by data.id", (type) => {
    const event = envelope(type, { object: { type: "asset", id: "obj-id" }, data: { id: "asset-1" } });
    expect(eventTarget(event)).toEqual({ kind: "asset", assetId: "asset-1" });
  });

  it.each(ASSET_EVENTS)("%s falls back to object.id when object.type is asset", (type) => {
    expect(eventTarget(envelope(type, { object: { type: "asset", id: "asset-2" }, data: {} }))).toEqual({
      kind: "asset",
      assetId: "asset-2",
    });
  });

  it("falls back to object.id when there is no data at all", () => {
    const event = envelope("video.asset.deleted", { object: { type: "asset", id: "asset-3" } });
    expect(eventTarget(event)).toEqual({ kind: "asset", assetId: "asset-3" });
  });

  it("does not take object.id of something that is not an asset", () => {
    for (const object of [{ type: "track", id: "track-1" }, { id: "no-type-1" }, { type: null, id: "x" }]) {
      expect(eventTarget(envelope("video.asset.ready", { object, data: {} }))).toEqual({
        kind: "no_asset_id",
      });
    }
  });

  it.each(INVALID_IDS)("treats a data.id that is %s as missing", (_label, id) => {
    expect(eventTarget(envelope("video.asset.ready", { data: { id } }))).toEqual({ kind: "no_asset_id" });
    const withObject = envelope("video.asset.ready", {
      object: { type: "asset", id: "asset-4" },
      data: { id },
    });
    expect(eventTarget(withObject)).toEqual({ kind: "asset", assetId: "asset-4" });
  });

  it("treats an empty or over-long object.id as missing, and accepts 255 characters", () => {
    const withObjectId = (id: string) =>
      eventTarget(envelope("video.asset.updated", { object: { type: "asset", id }, data: {} }));
    expect(withObjectId("")).toEqual({ kind: "no_asset_id" });
    expect(withObjectId("a".repeat(256))).toEqual({ kind: "no_asset_id" });
    expect(withObjectId(LONGEST_ID)).toEqual({ kind: "asset", assetId: LONGEST_ID });
    expect(eventTarget(envelope("video.asset.ready", { data: { id: LONGEST_ID } }))).toEqual({
      kind: "asset",
      assetId: LONGEST_ID,
    });
  });
});

describe("eventTarget: per-rendition events", () => {
  it.each(RENDITION_EVENTS)("%s names the asset by data.asset_id", (type) => {
    const event = envelope(type, {
      object: { type: "asset", id: "rendition-1" },
      data: { id: "rendition-1", asset_id: "asset-1", name: "highest.mp4" },
    });
    expect(eventTarget(event)).toEqual({ kind: "asset", assetId: "asset-1" });
  });

  // object.id and data.id are the rendition's own id here: taking either would ingest a non-asset.
  it.each(RENDITION_EVENTS)("%s never falls back to object.id or data.id", (type) => {
    const event = envelope(type, {
      object: { type: "asset", id: "rendition-1" },
      data: { id: "rendition-1" },
    });
    expect(eventTarget(event)).toEqual({ kind: "no_asset_id" });
    expect(eventTarget(envelope(type, { object: { type: "asset", id: "rendition-1" } }))).toEqual({
      kind: "no_asset_id",
    });
  });

  it.each(INVALID_IDS)("treats a data.asset_id that is %s as missing", (_label, assetId) => {
    const event = envelope("video.asset.static_rendition.ready", { data: { asset_id: assetId } });
    expect(eventTarget(event)).toEqual({ kind: "no_asset_id" });
  });

  it("accepts a data.asset_id of exactly 255 characters", () => {
    const event = envelope("video.asset.static_rendition.ready", { data: { asset_id: LONGEST_ID } });
    expect(eventTarget(event)).toEqual({ kind: "asset", assetId: LONGEST_ID });
  });
});

describe("eventTarget: track events", () => {
  const TRACK_EVENTS = ["video.asset.track.ready", "video.asset.track.deleted"];

  // mux-facts §2.4: object.type is "track", object.id and data.id the track's id.
  it.each(TRACK_EVENTS)("%s names the asset by data.asset_id", (type) => {
    const event = envelope(type, {
      object: { type: "track", id: "track-1" },
      data: {
        id: "track-1",
        type: "text",
        text_source: "generated_vod",
        status: "ready",
        asset_id: "asset-1",
      },
    });
    expect(eventTarget(event)).toEqual({ kind: "asset", assetId: "asset-1" });
  });

  it.each(TRACK_EVENTS)("%s never takes the track's id for the asset's", (type) => {
    expect(
      eventTarget(envelope(type, { object: { type: "asset", id: "track-1" }, data: { id: "track-1" } })),
    ).toEqual({ kind: "no_asset_id" });
    expect(eventTarget(envelope(type, { object: { type: "track", id: "track-1" } }))).toEqual({
      kind: "no_asset_id",
    });
  });

  it.each(INVALID_IDS)("treats a data.asset_id that is %s as missing", (_label, assetId) => {
    const event = envelope("video.asset.track.ready", { data: { id: "track-1", asset_id: assetId } });
    expect(eventTarget(event)).toEqual({ kind: "no_asset_id" });
  });
});

describe("eventTarget: everything else is ignored", () => {
  it.each([
    // A track being made, or failing, changes nothing the pipeline is handed.
    "video.asset.track.created",
    "video.asset.track.errored",
    "video.asset.master.ready",
    "video.asset.warning",
    "video.asset.non_standard_input_detected",
    "video.asset.shots.ready",
    "video.upload.asset_created",
    "video.upload.created",
    "video.live_stream.active",
    "video.live_stream.simulcast_target.idle",
    "video.delivery.high_traffic",
    "robots.job.completed",
    // Near misses: the two rendition families differ by one letter, and types are case-sensitive.
    "video.asset.static_rendition.preparing",
    "video.asset.static_renditions.created",
    "VIDEO.ASSET.READY",
  ])("%s", (type) => {
    // Even with every id field set: these types never move an asset.
    const event = envelope(type, {
      object: { type: "asset", id: "asset-1" },
      data: { id: "asset-1", asset_id: "asset-1" },
    });
    expect(eventTarget(event)).toEqual({ kind: "ignored" });
  });
});

describe("eventTarget properties", () => {
  /** Path-, URL- and terminal-shaped hostility, as an intercepted or forged Mux answer could send. */
  const hostileId = fc.constantFrom(
    "x/../..",
    "..",
    ".",
    "a/b",
    "a\\b",
    "a\u0000b",
    "a%2f..",
    "%2e%2e",
    "\u2024\u2024",
    "\uff0e\uff0e",
    "ab\u001b[2J",
    "-rf",
    "a.b",
    " a",
  );
  const anyId = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.stringMatching(/^[A-Za-z0-9]{1,60}$/),
    hostileId,
    fc.constant(LONGEST_ID),
    fc.constant("a".repeat(256)),
    fc.integer(),
    fc.constant(null),
  );
  const anyEnvelope = (types: readonly string[]) =>
    fc.record(
      {
        type: fc.constantFrom(...types),
        object: fc.record(
          {
            type: fc.constantFrom("asset", "static-rendition", "track", null),
            id: fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^[A-Za-z0-9]{1,60}$/), hostileId),
          },
          { requiredKeys: [] },
        ),
        data: fc.record({ id: anyId, asset_id: anyId, name: fc.string() }, { requiredKeys: [] }),
      },
      { requiredKeys: ["type"] },
    );

  /**
   * What the webhook route may key a job on: letters, digits, `-` and `_`, starting with a letter
   * or digit, at most 255 characters. Nothing that means anything to a path, a URL or a terminal.
   */
  const validId = (value: unknown): value is string =>
    typeof value === "string" && value.length <= 255 && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value);

  it("takes a rendition or track event's asset only from data.asset_id, never from object.id", () => {
    fc.assert(
      fc.property(
        anyEnvelope([...RENDITION_EVENTS, "video.asset.track.ready", "video.asset.track.deleted"]),
        (raw) => {
          const assetId = raw.data?.asset_id;
          expect(eventTarget(envelope(raw.type, raw))).toEqual(
            validId(assetId) ? { kind: "asset", assetId } : { kind: "no_asset_id" },
          );
        },
      ),
    );
  });

  it("takes an asset event's asset from data.id, else from an asset-typed object.id", () => {
    fc.assert(
      fc.property(anyEnvelope(ASSET_EVENTS), (raw) => {
        const fromData = raw.data?.id;
        const fromObject = raw.object?.type === "asset" ? raw.object.id : undefined;
        const expected = validId(fromData) ? fromData : validId(fromObject) ? fromObject : null;
        expect(eventTarget(envelope(raw.type, raw))).toEqual(
          expected === null ? { kind: "no_asset_id" } : { kind: "asset", assetId: expected },
        );
      }),
    );
  });
});
