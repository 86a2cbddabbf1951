/**
 * The fake's internal picture of one asset: what Mux knows about it, independent of how it is
 * shown (REST and webhooks render it differently; see asset-view.ts).
 */
import type {
  AssetErrors,
  AssetMeta,
  AssetStatus,
  MaxResolutionTier,
  Mp4Support,
  PlaybackPolicy,
  ResolutionTier,
  StaticRenditionResolution,
  TextTrackSource,
} from "./types";

export type SourceMedia = {
  hasVideo: boolean;
  hasAudio: boolean;
  width: number;
  height: number;
  duration: number;
  frameRate: number;
};

/** One MP4/M4A file as planned from the source; `status` is where it is now. */
export type RenditionFile = {
  /** Only files of the Static Renditions API have an id. */
  id?: string;
  name: string;
  ext: "mp4" | "m4a";
  resolution?: StaticRenditionResolution;
  resolutionTier?: ResolutionTier;
  type?: "standard" | "advanced";
  width?: number;
  height?: number;
  bitrate: number;
  filesize: number;
  /** What processing will make of it. */
  outcome: "ready" | "skipped";
  /** Set by the request that created it (Static Renditions API). */
  passthrough?: string;
  status: "preparing" | "ready" | "skipped" | "errored";
};

/** One text track; `readyAfterMs` undefined means the default for its source. */
export type TextTrack = {
  id: string;
  textSource: TextTrackSource;
  languageCode: string;
  name: string;
  closedCaptions: boolean;
  status: "preparing" | "ready";
  readyAfterMs?: number | null;
};

export type RenditionFlavour =
  | { kind: "none" }
  | { kind: "legacy"; mp4Support: Mp4Support; status: "preparing" | "ready" | "errored" | null }
  | { kind: "api" };

export type AssetRecord = {
  /** Creation order, to break ties between assets created in the same second. */
  seq: number;
  id: string;
  createdAtMs: number;
  status: AssetStatus;
  outcome: "ready" | "errored";
  errors?: AssetErrors;
  playbackIds: Array<{ id: string; policy: PlaybackPolicy }>;
  flavour: RenditionFlavour;
  files: RenditionFile[];
  source: SourceMedia;
  /** The size Mux stores: the source capped at `maxResolutionTier`, never upscaled. */
  stored: { width: number; height: number } | null;
  resolutionTier: ResolutionTier;
  trackIds: { video: string; audio: string };
  textTracks: TextTrack[];
  passthrough?: string;
  meta?: AssetMeta;
  maxResolutionTier: MaxResolutionTier;
  videoQuality: "basic" | "plus" | "premium";
  test: boolean;
  /** Recorded from a live stream: `active` until the stream completes; no MP4s are made before. */
  live?: { streamId: string; active: boolean; startedAtMs: number };
};
