import { describe, expect, it } from "vitest";
import type { ObjectMetadata, RenditionRecord } from "../../src/db/documents";
import type { ObjectRow } from "../../src/db/schema";
import { buildPipelinePayload } from "../../src/pipeline/payload";

const READY = { type: "object.ready", reason: null } as const;
const UPDATED = { type: "object.updated", reason: null } as const;
const DELETED = { type: "object.deleted", reason: "deleted_in_mux" } as const;

const STREAM_URL = "https://stream.mux.com/play-1/low.mp4";
const SIGNED_URL = `${STREAM_URL}?token=eyJhbGciOiJSUzI1NiJ9.payload.signature`;

const rendition: RenditionRecord = {
  name: "low.mp4",
  url: STREAM_URL,
  width: 640,
  height: 360,
  bitrate: 233600,
  filesize: 1284970,
};

const metadata: ObjectMetadata = {
  title: "Quarterly Review",
  passthrough: "campaign:summer",
  creator_id: "user-7",
  external_id: "ext-9",
  duration: 120.5,
  aspect_ratio: "16:9",
  resolution_tier: "1080p",
  created_at: "2023-11-14T22:13:20Z",
};

/** A complete row as drizzle reads it back, including the columns the payload must not expose. */
function objectRow(overrides: Partial<ObjectRow> = {}): ObjectRow {
  return {
    id: "obj_1",
    bucketId: "bkt_1",
    syncId: "syn_1",
    assetId: "asset-1",
    state: "ready",
    reason: null,
    message: "MP4 rendition low.mp4 is available",
    playbackId: "play-1",
    playbackPolicy: "public",
    rendition: { ...rendition },
    metadata: { ...metadata },
    version: 3,
    writeToken: "write-token-secret-ish",
    discoveredVia: "webhook",
    lastSeenAt: 1_700_000_001_000,
    waitingSince: null,
    announcedView: "[]",
    acknowledged: true,
    pendingDeletionAt: null,
    unannouncedDeletionAt: null,
    sourceFingerprint: "0123456789abcdef",
    stateChangedAt: 1_700_000_002_000,
    feedSeq: 7,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_002_000,
    ...overrides,
  };
}

describe("buildPipelinePayload", () => {
  it("builds object.ready field for field from the row, and nothing more", () => {
    expect(buildPipelinePayload(READY, objectRow(), null)).toStrictEqual({
      type: "object.ready",
      data: {
        bucket_id: "bkt_1",
        sync_id: "syn_1",
        object_id: "obj_1",
        source: { provider: "mux", asset_id: "asset-1", playback_id: "play-1", playback_policy: "public" },
        rendition,
        metadata,
      },
    });
  });

  it("replaces only the rendition URL with the signed one when given, leaving the row as it was", () => {
    const row = objectRow({ playbackPolicy: "signed" });
    const payload = buildPipelinePayload(READY, row, SIGNED_URL);
    expect(payload.data.rendition).toStrictEqual({ ...rendition, url: SIGNED_URL });
    expect(payload.data.source.playback_policy).toBe("signed");
    // The stored row keeps the bare URL: a token is minted per send and expires.
    expect(row.rendition?.url).toBe(STREAM_URL);
  });

  it("keeps the stored download path (and every other stored rendition field) in the rendition", () => {
    const stored = { ...rendition, path: "bkt_1/asset-1/low.mp4", sha256: "ab".repeat(32) };
    const payload = buildPipelinePayload(READY, objectRow({ rendition: stored }), SIGNED_URL);
    expect(payload.data.rendition).toStrictEqual({ ...stored, url: SIGNED_URL });
  });

  it("keeps a null rendition null, even with a signed URL", () => {
    const payload = buildPipelinePayload(DELETED, objectRow({ rendition: null }), SIGNED_URL);
    expect(payload.data.rendition).toBeNull();
  });

  it("builds object.deleted with the same shape, passing nulls through", () => {
    const row = objectRow({
      state: "deleted",
      reason: "deleted_in_mux",
      playbackId: null,
      playbackPolicy: null,
      rendition: null,
      metadata: null,
    });
    expect(buildPipelinePayload(DELETED, row, null)).toStrictEqual({
      type: "object.deleted",
      data: {
        bucket_id: "bkt_1",
        sync_id: "syn_1",
        object_id: "obj_1",
        reason: "deleted_in_mux",
        source: { provider: "mux", asset_id: "asset-1", playback_id: null, playback_policy: null },
        rendition: null,
        metadata: null,
      },
    });
  });

  it("says why an object left on object.deleted, and only there", () => {
    for (const reason of ["filtered", "no_rendition", "no_playback_id"] as const) {
      expect(buildPipelinePayload({ type: "object.deleted", reason }, objectRow(), null).data.reason).toBe(
        reason,
      );
    }
    expect("reason" in buildPipelinePayload(READY, objectRow(), null).data).toBe(false);
    expect("reason" in buildPipelinePayload(UPDATED, objectRow(), null).data).toBe(false);
  });

  it("carries the full current object on object.updated, as on object.ready", () => {
    const ready = buildPipelinePayload(READY, objectRow(), null);
    const updated = buildPipelinePayload(UPDATED, objectRow(), null);
    expect(updated).toStrictEqual({ ...ready, type: "object.updated" });
  });

  it("serialises to exactly that JSON body", () => {
    const payload = buildPipelinePayload(READY, objectRow(), SIGNED_URL);
    expect(JSON.parse(JSON.stringify(payload))).toStrictEqual(payload);
    expect(Object.keys(payload.data)).toEqual([
      "bucket_id",
      "sync_id",
      "object_id",
      "source",
      "rendition",
      "metadata",
    ]);
  });
});
