/**
 * Which webhook types move an asset through our states, and where each one names its asset.
 * Everything else (tracks, uploads, live streams, master access, robots…) is acknowledged and
 * recorded as ignored: answering non-2xx would make Mux retry it for 24 hours for nothing.
 */
import type { WebhookEnvelope } from "./schemas";

/** Events whose `data` is the asset itself. */
const ASSET_EVENTS = new Set([
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
]);

/** Static Renditions API: one event per file, `data` is the rendition and `data.asset_id` the asset. */
const RENDITION_EVENTS = new Set([
  "video.asset.static_rendition.created",
  "video.asset.static_rendition.ready",
  "video.asset.static_rendition.skipped",
  "video.asset.static_rendition.errored",
  "video.asset.static_rendition.deleted",
]);

export type EventTarget =
  | { kind: "asset"; assetId: string }
  /** A type we act on, but the event does not say which asset: reconciliation will find it. */
  | { kind: "no_asset_id" }
  | { kind: "ignored" };

export function eventTarget(event: WebhookEnvelope): EventTarget {
  const data = event.data ?? {};
  if (ASSET_EVENTS.has(event.type)) {
    const id =
      stringOrNull(data.id) ?? (event.object?.type === "asset" ? stringOrNull(event.object.id) : null);
    return id ? { kind: "asset", assetId: id } : { kind: "no_asset_id" };
  }
  if (RENDITION_EVENTS.has(event.type)) {
    // object.id is the rendition's id here, never the asset's.
    const id = stringOrNull(data.asset_id);
    return id ? { kind: "asset", assetId: id } : { kind: "no_asset_id" };
  }
  return { kind: "ignored" };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= 255 ? value : null;
}
