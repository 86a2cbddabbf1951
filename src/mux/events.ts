/**
 * Which webhook types move an asset through our states, and where each one names its asset.
 * Everything else (uploads, live streams, master access, robots…) is acknowledged and recorded
 * as ignored: answering non-2xx would make Mux retry it for 24 hours for nothing.
 */
import { isMuxId } from "./ids";
import type { WebhookEnvelope } from "./schemas";

/** Events whose `data` is the asset itself. */
export const ASSET_EVENT_TYPES = [
  "video.asset.created",
  "video.asset.ready",
  "video.asset.updated",
  "video.asset.errored",
  "video.asset.deleted",
  "video.asset.live_stream_completed",
  // Legacy `mp4_support`: one event for all files, `data` is the asset.
  "video.asset.static_renditions.preparing",
  "video.asset.static_renditions.ready",
  "video.asset.static_renditions.deleted",
  "video.asset.static_renditions.errored",
] as const;
export type AssetEventType = (typeof ASSET_EVENT_TYPES)[number];

/** Static Renditions API: one event per file, `data` is the rendition and `data.asset_id` the asset. */
export const RENDITION_EVENT_TYPES = [
  "video.asset.static_rendition.created",
  "video.asset.static_rendition.ready",
  "video.asset.static_rendition.skipped",
  "video.asset.static_rendition.errored",
  "video.asset.static_rendition.deleted",
] as const;
export type RenditionEventType = (typeof RENDITION_EVENT_TYPES)[number];

/**
 * Track events: `data` is the track, `data.asset_id` the asset, and `object.id` the track's id.
 * A track that becomes ready or is deleted changes what the pipeline is handed (`tracks[]`) and
 * may end a `wait_for` hold; `created` (nothing to serve yet) and `errored` (never served) do not.
 */
export const TRACK_EVENT_TYPES = ["video.asset.track.ready", "video.asset.track.deleted"] as const;
export type TrackEventType = (typeof TRACK_EVENT_TYPES)[number];

/** Every event type that moves an asset through our states. */
export type MuxEventType = AssetEventType | RenditionEventType | TrackEventType;

const ASSET_EVENTS: ReadonlySet<string> = new Set(ASSET_EVENT_TYPES);
const RENDITION_EVENTS: ReadonlySet<string> = new Set(RENDITION_EVENT_TYPES);
const TRACK_EVENTS: ReadonlySet<string> = new Set(TRACK_EVENT_TYPES);

export type EventTarget =
  | { kind: "asset"; assetId: string }
  /**
   * A type we act on, but the event does not say which asset, or names it with something that is
   * not a Mux id (never used): reconciliation will find it.
   */
  | { kind: "no_asset_id" }
  | { kind: "ignored" };

export function isRenditionEvent(type: string): type is RenditionEventType {
  return RENDITION_EVENTS.has(type);
}

export function isTrackEvent(type: string): type is TrackEventType {
  return TRACK_EVENTS.has(type);
}

export function eventTarget(event: WebhookEnvelope): EventTarget {
  const data = event.data ?? {};
  if (ASSET_EVENTS.has(event.type)) {
    const id = muxIdOrNull(data.id) ?? (event.object?.type === "asset" ? muxIdOrNull(event.object.id) : null);
    return id ? { kind: "asset", assetId: id } : { kind: "no_asset_id" };
  }
  if (isRenditionEvent(event.type) || isTrackEvent(event.type)) {
    // object.id and data.id are the rendition's or the track's id here, never the asset's.
    const id = muxIdOrNull(data.asset_id);
    return id ? { kind: "asset", assetId: id } : { kind: "no_asset_id" };
  }
  return { kind: "ignored" };
}

function muxIdOrNull(value: unknown): string | null {
  return isMuxId(value) ? value : null;
}
