/**
 * Which webhook types move an asset through our states, and where each one names its asset.
 * Everything else (tracks, uploads, live streams, master access, robots…) is acknowledged and
 * recorded as ignored: answering non-2xx would make Mux retry it for 24 hours for nothing.
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

/** Every event type that moves an asset through our states. */
export type MuxEventType = AssetEventType | RenditionEventType;

const ASSET_EVENTS: ReadonlySet<string> = new Set(ASSET_EVENT_TYPES);
const RENDITION_EVENTS: ReadonlySet<string> = new Set(RENDITION_EVENT_TYPES);

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

export function eventTarget(event: WebhookEnvelope): EventTarget {
  const data = event.data ?? {};
  if (ASSET_EVENTS.has(event.type)) {
    const id = muxIdOrNull(data.id) ?? (event.object?.type === "asset" ? muxIdOrNull(event.object.id) : null);
    return id ? { kind: "asset", assetId: id } : { kind: "no_asset_id" };
  }
  if (isRenditionEvent(event.type)) {
    // object.id is the rendition's id here, never the asset's.
    const id = muxIdOrNull(data.asset_id);
    return id ? { kind: "asset", assetId: id } : { kind: "no_asset_id" };
  }
  return { kind: "ignored" };
}

function muxIdOrNull(value: unknown): string | null {
  return isMuxId(value) ? value : null;
}
