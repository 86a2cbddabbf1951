/**
 * The body the pipeline receives, exactly as the design contract states it:
 * `{type, data: {bucket_id, sync_id, object_id, source, rendition, metadata}}`.
 */
import type { ObjectMetadata, ObjectRow, RenditionRecord } from "../db/schema";

export type PipelineEventType = "object.ready" | "object.deleted";

export type PipelinePayload = {
  type: PipelineEventType;
  data: {
    bucket_id: string;
    sync_id: string;
    object_id: string;
    source: { provider: "mux"; asset_id: string; playback_id: string | null; playback_policy: string | null };
    rendition: RenditionRecord | null;
    metadata: ObjectMetadata | null;
  };
};

/** `signedUrl` replaces the rendition URL when the playback id is signed (it carries `?token=`). */
export function buildPipelinePayload(
  type: PipelineEventType,
  object: ObjectRow,
  signedUrl: string | null,
): PipelinePayload {
  const rendition = object.rendition ? { ...object.rendition, url: signedUrl ?? object.rendition.url } : null;
  return {
    type,
    data: {
      bucket_id: object.bucketId,
      sync_id: object.syncId,
      object_id: object.id,
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
