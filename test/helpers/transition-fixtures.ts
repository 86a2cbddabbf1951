/**
 * The transition rule's fixtures, shared by its unit tests: one asset's metadata and view, a
 * ready caption, a pipeline without storage, a stored object of any state, and the member the
 * pipeline acknowledged with that view.
 */
import type { ObjectMetadata } from "../../src/db/documents";
import type { ObjectReason, ObjectState } from "../../src/db/schema";
import type { ChangePlan, StoredObject, Target, TransitionContext } from "../../src/sync/object-transitions";
import { type PipelineView, pipelineViewKey, type TextTrackView } from "../../src/sync/pipeline-view";

export const METADATA: ObjectMetadata = {
  title: "Cats",
  passthrough: "p1",
  creator_id: null,
  external_id: "ext-1",
  duration: 12.5,
  aspect_ratio: "16:9",
  resolution_tier: "1080p",
  created_at: "2026-01-01T00:00:00.000Z",
};

export const VIEW: PipelineView = {
  metadata: METADATA,
  rendition: "low.mp4",
  playbackId: "pb1",
  playbackPolicy: "public",
  textTracks: [],
};

/** A ready caption track as the pipeline sees it. */
export const CAPTION: TextTrackView = {
  id: "trk1",
  type: "text",
  text_type: "subtitles",
  language_code: "en",
  name: "English",
  closed_captions: true,
  text_source: "generated_vod",
};

export const PIPELINE: TransitionContext = { pipeline: true, storage: false, latestDelivery: null };

export function stored(state: ObjectState, overrides: Partial<StoredObject> = {}): StoredObject {
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

/** A member the pipeline acknowledged with VIEW. */
export const DELIVERED = stored("delivered", { announcedView: pipelineViewKey(VIEW), acknowledged: true });

export const qualifies = (view: PipelineView = VIEW): Target => ({ qualifies: true, view });
export const leaves = (state: ObjectState, reason: ObjectReason | null, view = VIEW): Target => ({
  qualifies: false,
  state,
  reason,
  view,
});

/** What a plan tells the pipeline, or null when it writes nothing. */
export function announced(plan: ChangePlan) {
  return plan.write ? plan.announce : null;
}
