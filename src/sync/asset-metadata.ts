/** The asset fields an object keeps and the pipeline receives as `metadata` (DESIGN §6). */
import type { ObjectMetadata } from "../db/documents";
import type { MuxAsset } from "../mux/schemas";

export function assetMetadata(asset: MuxAsset): ObjectMetadata {
  return {
    title: asset.meta?.title ?? null,
    passthrough: asset.passthrough ?? null,
    creator_id: asset.meta?.creator_id ?? null,
    external_id: asset.meta?.external_id ?? null,
    duration: asset.duration ?? null,
    aspect_ratio: asset.aspect_ratio ?? null,
    resolution_tier: asset.resolution_tier ?? null,
    created_at: asset.created_at === null ? null : new Date(asset.created_at * 1000).toISOString(),
  };
}
