/**
 * The tracks kept on an object, from a fresh read of its asset: the ready text tracks, then the
 * audio tracks, each in Mux's order. A text track's stored files (`path`, `transcript_path`) are
 * kept from the object's previous record of the same track id: the files of a track id do not
 * change, so a re-read does not download them again.
 */
import type { AudioTrackRecord, TextTrackRecord, TrackRecord } from "../db/documents";
import type { MuxAsset } from "../mux/schemas";
import { audioTracks, isGeneratedTextSource, readyTextTracks } from "../mux/tracks";

export function trackRecords(asset: Pick<MuxAsset, "tracks">, previous: TrackRecord[] | null): TrackRecord[] {
  const stored = new Map(textRecords(previous).map((track) => [track.id, track]));
  const text = readyTextTracks(asset).map((track): TextTrackRecord => {
    const kept = stored.get(track.id);
    return {
      id: track.id,
      type: "text",
      text_type: track.text_type ?? null,
      language_code: track.language_code ?? null,
      name: track.name ?? null,
      closed_captions: track.closed_captions ?? null,
      text_source: track.text_source ?? null,
      ...(kept?.path !== undefined && { path: kept.path }),
      ...(kept?.transcript_path !== undefined && { transcript_path: kept.transcript_path }),
    };
  });
  const audio = audioTracks(asset).map(
    (track): AudioTrackRecord => ({
      id: track.id,
      type: "audio",
      language_code: track.language_code ?? null,
      name: track.name ?? null,
      primary: track.primary ?? null,
    }),
  );
  return [...text, ...audio];
}

export function textRecords(tracks: readonly TrackRecord[] | null | undefined): TextTrackRecord[] {
  return (tracks ?? []).filter((track): track is TextTrackRecord => track.type === "text");
}

/** Whether the track has a plain-text transcript beside its WebVTT (Mux makes one for generated tracks). */
export function hasTranscript(track: Pick<TextTrackRecord, "text_source">): boolean {
  return isGeneratedTextSource(track.text_source);
}

/** Whether every file the track has is stored (its WebVTT, and its transcript if it has one). */
export function trackFilesStored(track: TextTrackRecord): boolean {
  return track.path !== undefined && (!hasTranscript(track) || track.transcript_path !== undefined);
}
