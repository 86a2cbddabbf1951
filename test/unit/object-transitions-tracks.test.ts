/**
 * The transition rule and the pipeline's view with text tracks: a caption that becomes ready, is
 * renamed or deleted after delivery is an `object.updated`; the same captions in another order
 * are not; a view without them keys as before tracks were part of it; with storage, a new
 * caption's files are downloaded while the stored MP4 is kept.
 */
import { describe, expect, it } from "vitest";
import type { ObjectMetadata } from "../../src/db/documents";
import type { ObjectState } from "../../src/db/schema";
import {
  type ChangePlan,
  decideChange,
  type StoredObject,
  type Target,
  type TransitionContext,
} from "../../src/sync/object-transitions";
import { type PipelineView, pipelineViewKey, type TextTrackView } from "../../src/sync/pipeline-view";

const METADATA: ObjectMetadata = {
  title: "Cats",
  passthrough: "p1",
  creator_id: null,
  external_id: "ext-1",
  duration: 12.5,
  aspect_ratio: "16:9",
  resolution_tier: "1080p",
  created_at: "2026-01-01T00:00:00.000Z",
};

const VIEW: PipelineView = {
  metadata: METADATA,
  rendition: "low.mp4",
  playbackId: "pb1",
  playbackPolicy: "public",
  textTracks: [],
};

/** A ready caption track as the pipeline sees it. */
const CAPTION: TextTrackView = {
  id: "trk1",
  type: "text",
  text_type: "subtitles",
  language_code: "en",
  name: "English",
  closed_captions: true,
  text_source: "generated_vod",
};

const PIPELINE: TransitionContext = { pipeline: true, storage: false, latestDelivery: null };

function stored(state: ObjectState, overrides: Partial<StoredObject> = {}): StoredObject {
  return {
    state,
    reason: null,
    metadata: VIEW.metadata,
    rendition: {
      name: "low.mp4",
      url: "https://stream.test/pb1/low.mp4",
      width: 640,
      height: 360,
      bitrate: 1,
      filesize: 4,
    },
    playbackId: VIEW.playbackId,
    playbackPolicy: VIEW.playbackPolicy,
    tracks: null,
    announcedView: null,
    acknowledged: false,
    ...overrides,
  };
}

const DELIVERED = stored("delivered", { announcedView: pipelineViewKey(VIEW), acknowledged: true });
const qualifies = (view: PipelineView = VIEW): Target => ({ qualifies: true, view });
const announced = (plan: ChangePlan) => (plan.write ? plan.announce : null);

describe("decideChange: text tracks", () => {
  const captioned = { ...VIEW, textTracks: [CAPTION] };
  const captionedMember = stored("delivered", {
    tracks: [CAPTION],
    announcedView: pipelineViewKey(captioned),
    acknowledged: true,
  });

  it("announces object.updated when a caption becomes ready after delivery, and when it is deleted", () => {
    expect(announced(decideChange(DELIVERED, qualifies(captioned), PIPELINE))).toEqual({
      type: "object.updated",
      reason: null,
    });
    expect(announced(decideChange(captionedMember, qualifies(VIEW), PIPELINE))).toEqual({
      type: "object.updated",
      reason: null,
    });
  });

  it("announces a renamed caption, and nothing when the same captions come in another order", () => {
    const renamed = { ...VIEW, textTracks: [{ ...CAPTION, name: "English (CC)" }] };
    expect(announced(decideChange(captionedMember, qualifies(renamed), PIPELINE))?.type).toBe(
      "object.updated",
    );
    const second: TextTrackView = { ...CAPTION, id: "trk2", language_code: "fr" };
    const both = stored("delivered", {
      tracks: [CAPTION, second],
      announcedView: pipelineViewKey({ ...VIEW, textTracks: [CAPTION, second] }),
      acknowledged: true,
    });
    expect(decideChange(both, qualifies({ ...VIEW, textTracks: [second, CAPTION] }), PIPELINE)).toEqual({
      write: false,
    });
  });

  it("keys a view without text tracks as it was keyed before tracks were part of it (no re-announcement on upgrade)", () => {
    expect(pipelineViewKey(VIEW)).toBe(JSON.stringify([Object.values(METADATA), "low.mp4", "pb1", "public"]));
  });

  it("with storage, downloads a new caption's files but keeps the stored MP4, and announces after the download", () => {
    const file = { ...DELIVERED.rendition, path: "/data/a/low.mp4" } as StoredObject["rendition"];
    const member = { ...DELIVERED, rendition: file };
    const storage = { ...PIPELINE, storage: true };
    expect(decideChange(member, qualifies(captioned), storage)).toMatchObject({
      write: true,
      download: true,
      keepStoredRendition: true,
      announce: null,
    });
    // A generated track's transcript is a file too: with only the WebVTT stored, its download is
    // still under way, and nothing is written again.
    const vttOnly = { ...member, tracks: [{ ...CAPTION, path: "/data/a/trk1.vtt" }] };
    expect(decideChange(vttOnly, qualifies(captioned), storage)).toEqual({ write: false });
    const stored = {
      ...vttOnly,
      tracks: [{ ...CAPTION, path: "/data/a/trk1.vtt", transcript_path: "/data/a/trk1.txt" }],
    };
    expect(decideChange(stored, qualifies(captioned), storage)).toMatchObject({
      download: false,
      keepStoredRendition: true,
      announce: { type: "object.updated" },
    });
  });
});
