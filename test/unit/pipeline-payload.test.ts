import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ObjectMetadata, RenditionRecord, TrackRecord } from "../../src/db/documents";
import type { ObjectRow } from "../../src/db/schema";
import { buildPipelinePayload, type PlaybackAccess, type PlaybackTokens } from "../../src/pipeline/payload";
import { pipelinePayloadSchema } from "../../src/pipeline/payload-schema";

const READY = { type: "object.ready", reason: null } as const;
const UPDATED = { type: "object.updated", reason: null } as const;
const DELETED = { type: "object.deleted", reason: "deleted_in_mux" } as const;

const STREAM_URL = "https://stream.mux.com/play-1/low.mp4";
const TOKENS: PlaybackTokens = { video: "v.v.v", thumbnail: "t.t.t", storyboard: "s.s.s", gif: "g.g.g" };
const SIGNED_URL = `${STREAM_URL}?token=${TOKENS.video}`;

const HOSTS = { streamBaseUrl: "https://stream.mux.com", imageBaseUrl: "https://image.mux.com" };
const UNSIGNED: PlaybackAccess = { ...HOSTS, tokens: null };
const SIGNED: PlaybackAccess = { ...HOSTS, tokens: TOKENS };

const IMAGES = {
  thumbnail_url: "https://image.mux.com/play-1/thumbnail.jpg",
  storyboard_url: "https://image.mux.com/play-1/storyboard.vtt",
  animated_url: "https://image.mux.com/play-1/animated.gif",
};

const GENERATED: TrackRecord = {
  id: "trk-gen",
  type: "text",
  text_type: "subtitles",
  language_code: "en",
  name: "English (generated)",
  closed_captions: true,
  text_source: "generated_vod",
};
const UPLOADED: TrackRecord = {
  id: "trk-up",
  type: "text",
  text_type: "subtitles",
  language_code: "fr",
  name: "Français",
  closed_captions: false,
  text_source: "uploaded",
};
const AUDIO: TrackRecord = {
  id: "trk-audio",
  type: "audio",
  language_code: "en",
  name: "Default",
  primary: true,
};

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
    tracks: null,
    version: 3,
    writeToken: "write-token-secret-ish",
    discoveredVia: "webhook",
    lastSeenAt: 1_700_000_001_000,
    waitingSince: null,
    waitForSince: null,
    waitForExpiredAt: null,
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
    expect(buildPipelinePayload(READY, objectRow(), UNSIGNED)).toStrictEqual({
      type: "object.ready",
      data: {
        bucket_id: "bkt_1",
        sync_id: "syn_1",
        object_id: "obj_1",
        source: { provider: "mux", asset_id: "asset-1", playback_id: "play-1", playback_policy: "public" },
        rendition,
        metadata,
        tracks: [],
        images: IMAGES,
      },
    });
  });

  it("replaces only the rendition URL with the signed one when given, leaving the row as it was", () => {
    const row = objectRow({ playbackPolicy: "signed" });
    const payload = buildPipelinePayload(READY, row, SIGNED);
    expect(payload.data.rendition).toStrictEqual({ ...rendition, url: SIGNED_URL });
    expect(payload.data.source.playback_policy).toBe("signed");
    // The stored row keeps the bare URL: a token is minted per send and expires.
    expect(row.rendition?.url).toBe(STREAM_URL);
  });

  it("keeps the stored download path (and every other stored rendition field) in the rendition", () => {
    const stored = { ...rendition, path: "bkt_1/asset-1/low.mp4", sha256: "ab".repeat(32) };
    const payload = buildPipelinePayload(READY, objectRow({ rendition: stored }), SIGNED);
    expect(payload.data.rendition).toStrictEqual({ ...stored, url: SIGNED_URL });
  });

  it("keeps a null rendition null, even with a signed URL", () => {
    const payload = buildPipelinePayload(DELETED, objectRow({ rendition: null }), SIGNED);
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
    expect(buildPipelinePayload(DELETED, row, UNSIGNED)).toStrictEqual({
      type: "object.deleted",
      data: {
        bucket_id: "bkt_1",
        sync_id: "syn_1",
        object_id: "obj_1",
        reason: "deleted_in_mux",
        source: { provider: "mux", asset_id: "asset-1", playback_id: null, playback_policy: null },
        rendition: null,
        metadata: null,
        tracks: [],
        images: null,
      },
    });
  });

  it("says why an object left on object.deleted, and only there", () => {
    for (const reason of ["filtered", "no_rendition", "no_playback_id"] as const) {
      expect(
        buildPipelinePayload({ type: "object.deleted", reason }, objectRow(), UNSIGNED).data.reason,
      ).toBe(reason);
    }
    expect("reason" in buildPipelinePayload(READY, objectRow(), UNSIGNED).data).toBe(false);
    expect("reason" in buildPipelinePayload(UPDATED, objectRow(), UNSIGNED).data).toBe(false);
  });

  it("carries the full current object on object.updated, as on object.ready", () => {
    const ready = buildPipelinePayload(READY, objectRow(), UNSIGNED);
    const updated = buildPipelinePayload(UPDATED, objectRow(), UNSIGNED);
    expect(updated).toStrictEqual({ ...ready, type: "object.updated" });
  });

  it("serialises to exactly that JSON body", () => {
    const payload = buildPipelinePayload(READY, objectRow(), SIGNED);
    expect(JSON.parse(JSON.stringify(payload))).toStrictEqual(payload);
    expect(Object.keys(payload.data)).toEqual([
      "bucket_id",
      "sync_id",
      "object_id",
      "source",
      "rendition",
      "metadata",
      "tracks",
      "images",
    ]);
  });
});

describe("buildPipelinePayload: tracks and images", () => {
  const withTracks = (overrides: Partial<ObjectRow> = {}) =>
    objectRow({ tracks: [GENERATED, UPLOADED, AUDIO], ...overrides });

  it("hands over text tracks with their WebVTT, a transcript for generated ones only, and audio tracks as they are", () => {
    const { tracks } = buildPipelinePayload(READY, withTracks(), UNSIGNED).data;
    expect(tracks).toStrictEqual([
      {
        ...GENERATED,
        vtt_url: "https://stream.mux.com/play-1/text/trk-gen.vtt",
        transcript_url: "https://stream.mux.com/play-1/text/trk-gen.txt",
      },
      { ...UPLOADED, vtt_url: "https://stream.mux.com/play-1/text/trk-up.vtt" },
      AUDIO,
    ]);
  });

  it("gives each URL of a signed playback id the token of its own audience", () => {
    const { data } = buildPipelinePayload(READY, withTracks({ playbackPolicy: "signed" }), SIGNED);
    const [generated] = data.tracks;
    expect(generated?.type === "text" && generated.vtt_url).toBe(
      `https://stream.mux.com/play-1/text/trk-gen.vtt?token=${TOKENS.video}`,
    );
    expect(generated?.type === "text" && generated.transcript_url).toBe(
      `https://stream.mux.com/play-1/text/trk-gen.txt?token=${TOKENS.video}`,
    );
    expect(data.images).toStrictEqual({
      thumbnail_url: `${IMAGES.thumbnail_url}?token=${TOKENS.thumbnail}`,
      storyboard_url: `${IMAGES.storyboard_url}?token=${TOKENS.storyboard}`,
      animated_url: `${IMAGES.animated_url}?token=${TOKENS.gif}`,
    });
  });

  it("keeps stored track files' paths, and builds the copy kept on the delivery without a token", () => {
    const stored = { ...GENERATED, path: "/s/trk-gen.vtt", transcript_path: "/s/trk-gen.txt" };
    const unsigned = JSON.stringify(
      buildPipelinePayload(READY, objectRow({ tracks: [stored], playbackPolicy: "signed" }), UNSIGNED),
    );
    expect(unsigned).toContain('"path":"/s/trk-gen.vtt"');
    expect(unsigned).toContain('"transcript_path":"/s/trk-gen.txt"');
    expect(unsigned).not.toContain("token=");
  });

  it("has no images for an audio-only asset nor without a playback id, and no track URLs without one", () => {
    const audioOnly = objectRow({ metadata: { ...metadata, resolution_tier: "audio-only" } });
    expect(buildPipelinePayload(READY, audioOnly, UNSIGNED).data.images).toBeNull();
    const { data } = buildPipelinePayload(DELETED, withTracks({ playbackId: null }), UNSIGNED);
    expect(data.images).toBeNull();
    expect(data.tracks).toStrictEqual([GENERATED, UPLOADED, AUDIO]);
  });

  it("carries hostile track names and language codes verbatim, and puts the track id in its URL path", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.string({ maxLength: 80 }),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,60}$/),
        (name, language, id) => {
          const track: TrackRecord = { ...GENERATED, id, name, language_code: language };
          const payload = buildPipelinePayload(READY, objectRow({ tracks: [track] }), UNSIGNED);
          const [out] = payload.data.tracks;
          expect(out?.name).toBe(name);
          expect(out?.language_code).toBe(language);
          expect(out?.type === "text" && new URL(out.vtt_url ?? "").pathname).toBe(`/play-1/text/${id}.vtt`);
          expect(pipelinePayloadSchema.safeParse(JSON.parse(JSON.stringify(payload))).success).toBe(true);
        },
      ),
    );
  });

  it("is what the payload schema describes, field for field (no field it does not name)", () => {
    for (const access of [UNSIGNED, SIGNED]) {
      const payload = buildPipelinePayload(READY, withTracks(), access);
      expect(pipelinePayloadSchema.strict().safeParse(payload).success).toBe(true);
      expect(pipelinePayloadSchema.parse(payload)).toStrictEqual(payload);
    }
  });
});
