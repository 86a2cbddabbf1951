/**
 * A fingerprint of what mux-ingest reads of an asset: every field of `muxAssetSchema` (status,
 * playback ids, renditions, metadata, the fields filters can name), nothing else. Two readings
 * with the same fingerprint evaluate the same, so a listing can tell from the fingerprint stored
 * on an object whether the asset changed since it was last judged, for free: an edit or a
 * rendition change whose webhook was lost is found by the next sweep that lists the asset.
 *
 * Text tracks (captions) count in full (id, status, kind, language, name, source), so a caption
 * that became ready or was deleted is seen; they are appended only when the asset has any, so an
 * asset without text tracks keeps the fingerprint it had before tracks were read (no re-judging
 * of a whole library on upgrade). Audio tracks count by type only, as before: their details are
 * carried to the pipeline with the next change, never announced on their own.
 *
 * Change detection, not security: a 64-bit non-cryptographic hash (two 32-bit FNV-1a lanes) of
 * a canonical JSON, the same on Node and Workers and synchronous on both.
 */
import type { MuxAsset, MuxTrack, StaticRenditionFile } from "./schemas";
import { textTracks } from "./tracks";

export function assetFingerprint(asset: MuxAsset): string {
  return hash64(JSON.stringify(canonical(asset)));
}

function canonical(asset: MuxAsset): unknown[] {
  const text = textTracks(asset);
  return [
    asset.id,
    asset.status ?? null,
    asset.created_at ?? null,
    (asset.playback_ids ?? []).map((p) => [p.id, p.policy]),
    asset.static_renditions
      ? [asset.static_renditions.status ?? null, (asset.static_renditions.files ?? []).map(canonicalFile)]
      : null,
    asset.mp4_support ?? null,
    asset.passthrough ?? null,
    asset.meta
      ? [asset.meta.title ?? null, asset.meta.creator_id ?? null, asset.meta.external_id ?? null]
      : null,
    asset.duration ?? null,
    asset.aspect_ratio ?? null,
    asset.resolution_tier ?? null,
    asset.max_resolution_tier ?? null,
    asset.video_quality ?? null,
    asset.upload_id ?? null,
    asset.live_stream_id ?? null,
    asset.is_live ?? null,
    asset.test ?? null,
    (asset.tracks ?? []).map((t) => t.type ?? null),
    asset.errors ? [asset.errors.type ?? null, asset.errors.messages ?? []] : null,
    ...(text.length > 0 ? [text.map(canonicalTextTrack)] : []),
  ];
}

function canonicalTextTrack(track: MuxTrack): unknown[] {
  return [
    track.id ?? null,
    track.status ?? null,
    track.text_type ?? null,
    track.text_source ?? null,
    track.language_code ?? null,
    track.name ?? null,
    track.closed_captions ?? null,
  ];
}

function canonicalFile(file: StaticRenditionFile): unknown[] {
  return [
    file.id ?? null,
    file.name,
    file.ext ?? null,
    file.status ?? null,
    file.resolution ?? null,
    file.resolution_tier ?? null,
    file.width ?? null,
    file.height ?? null,
    file.bitrate ?? null,
    file.filesize ?? null,
  ];
}

function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
