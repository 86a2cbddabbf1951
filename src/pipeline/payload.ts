/**
 * The body the pipeline receives, exactly as the design contract states it (DESIGN §6):
 * `{type, data: {bucket_id, sync_id, object_id, reason?, source, rendition, metadata}}`. It is the
 * full current object for every type; `reason` says why an object left, on `object.deleted` only.
 */
import type { ObjectMetadata, RenditionRecord } from "../db/documents";
import type { DeliveryType, LeaveReason, ObjectRow } from "../db/schema";

export type PipelinePayload = {
  type: DeliveryType;
  data: {
    bucket_id: string;
    sync_id: string;
    object_id: string;
    reason?: LeaveReason;
    source: { provider: "mux"; asset_id: string; playback_id: string | null; playback_policy: string | null };
    rendition: RenditionRecord | null;
    metadata: ObjectMetadata | null;
  };
};

/** `signedUrl` replaces the rendition URL when the playback id is signed (it carries `?token=`). */
export function buildPipelinePayload(
  delivery: { type: DeliveryType; reason: LeaveReason | null },
  object: ObjectRow,
  signedUrl: string | null,
): PipelinePayload {
  const rendition = object.rendition ? { ...object.rendition, url: signedUrl ?? object.rendition.url } : null;
  return {
    type: delivery.type,
    data: {
      bucket_id: object.bucketId,
      sync_id: object.syncId,
      object_id: object.id,
      ...(delivery.type === "object.deleted" ? { reason: delivery.reason ?? "deleted_in_mux" } : {}),
      source: {
        provider: "mux",
        asset_id: object.assetId,
        playback_id: object.playbackId,
        playback_policy: object.playbackPolicy,
      },
      rendition,
      metadata: object.metadata,
    },
  };
}
