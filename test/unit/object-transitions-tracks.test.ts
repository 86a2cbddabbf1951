/**
 * The transition rule and the pipeline's view with text tracks: a caption that becomes ready, is
 * renamed or deleted after delivery is an `object.updated`; the same captions in another order
 * are not; a view without them keys as before tracks were part of it; with storage, a new
 * caption's files are downloaded while the stored MP4 is kept.
 */
import { describe, expect, it } from "vitest";
import { decideChange, type StoredObject } from "../../src/sync/object-transitions";
import { pipelineViewKey, type TextTrackView } from "../../src/sync/pipeline-view";
import {
  announced,
  CAPTION,
  DELIVERED,
  METADATA,
  PIPELINE,
  qualifies,
  stored,
  VIEW,
} from "../helpers/transition-fixtures";

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
