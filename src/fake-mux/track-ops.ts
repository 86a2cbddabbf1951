/**
 * Text tracks added to or deleted from an asset that exists (a test's or a person's doing, as
 * Mux's `POST /video/v1/assets/:id/tracks`, generated subtitles, or `DELETE …/tracks/:id` would):
 * an added track is `created`, then ready on its timing; a deleted one leaves `tracks[]` and the
 * stream host, with `video.asset.track.deleted`. `undefined` for an unknown asset (a 404).
 */
import { textTrackOf } from "./asset-factory";
import { textTrackView } from "./asset-view";
import { emitTrackEvent } from "./lifecycle";
import type { AssetOps } from "./rendition-ops";
import { SpecError } from "./spec-error";
import type { FakeTrack, TextTrackSpec } from "./types";

export function addTextTrack(ops: AssetOps, assetId: string, spec: TextTrackSpec): FakeTrack | undefined {
  const record = ops.get(assetId);
  if (!record) return undefined;
  if (record.status === "errored") throw new SpecError("Tracks cannot be added to an errored asset");
  if (spec.id !== undefined && record.textTracks.some((t) => t.id === spec.id)) {
    throw new SpecError(`asset ${assetId} already has a track ${spec.id}`);
  }
  const track = textTrackOf(spec, ops.newId);
  record.textTracks.push(track);
  // A preparing asset's finish starts it with the others.
  ops.lifecycle.startTextTrack(record, track, ops.now());
  return textTrackView(track);
}

/** `false` when the asset has no such text track. */
export function deleteTextTrack(ops: AssetOps, assetId: string, trackId: string): boolean | undefined {
  const record = ops.get(assetId);
  if (!record) return undefined;
  const index = record.textTracks.findIndex((t) => t.id === trackId);
  const track = record.textTracks[index];
  if (!track) return false;
  record.textTracks.splice(index, 1);
  emitTrackEvent(record, track, "video.asset.track.deleted", ops.emit, ops.now());
  return true;
}
