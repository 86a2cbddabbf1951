/**
 * What the pipeline sees of an object, and so what counts as a change worth telling it: the
 * asset's metadata, the chosen rendition (by name: a new download of the same file is not a
 * change), the source playback id and policy, and its ready text tracks (a caption that becomes
 * ready, is renamed or is deleted). Messages, re-checks, renditions that become ready without
 * being chosen and audio tracks change none of these, so they are never announced on their own
 * (audio tracks ride along with the next announcement).
 */
import type { ObjectMetadata, TextTrackRecord, TrackRecord } from "../db/documents";
import type { LeaveReason, ObjectReason, ObjectRow, ObjectState } from "../db/schema";
import { textRecords } from "./track-records";

/** A ready text track as the pipeline sees it (where its files are stored is not part of it). */
export type TextTrackView = Omit<TextTrackRecord, "path" | "transcript_path">;

export type PipelineView = {
  metadata: ObjectMetadata | null;
  rendition: string | null;
  playbackId: string | null;
  playbackPolicy: string | null;
  textTracks: TextTrackView[];
};

/** Rows announced before views were recorded: the view they were announced with is their own. */
export const LEGACY_ANNOUNCED_VIEW = "legacy";

const METADATA_FIELDS = [
  "title",
  "passthrough",
  "creator_id",
  "external_id",
  "duration",
  "aspect_ratio",
  "resolution_tier",
  "created_at",
] as const satisfies ReadonlyArray<keyof ObjectMetadata>;

/**
 * A stable text for comparing views (field order fixed, so equal views give equal keys). Text
 * tracks are appended only when there are any, in id order: a view without them keeps the key
 * it had before tracks were part of the view, so members announced then are not announced again.
 */
export function pipelineViewKey(view: PipelineView): string {
  const metadata = view.metadata ? METADATA_FIELDS.map((field) => view.metadata?.[field] ?? null) : null;
  const tracks = [...view.textTracks]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((t) => [t.id, t.text_type, t.language_code, t.name, t.closed_captions, t.text_source]);
  return JSON.stringify([
    metadata,
    view.rendition,
    view.playbackId,
    view.playbackPolicy,
    ...(tracks.length > 0 ? [tracks] : []),
  ]);
}

export type ViewedRow = Pick<ObjectRow, "metadata" | "rendition" | "playbackId" | "playbackPolicy"> & {
  tracks: TrackRecord[] | null;
};

/** The view the object's row holds now. */
export function rowView(row: ViewedRow): PipelineView {
  return {
    metadata: row.metadata,
    rendition: row.rendition?.name ?? null,
    playbackId: row.playbackId,
    playbackPolicy: row.playbackPolicy,
    textTracks: textTrackViews(row.tracks),
  };
}

export function textTrackViews(tracks: readonly TrackRecord[] | null): TextTrackView[] {
  return textRecords(tracks).map(({ path: _path, transcript_path: _transcript, ...view }) => view);
}

/** The key of the view the pipeline has or may have been sent, or null when it has none. */
export function announcedKey(row: ViewedRow & Pick<ObjectRow, "announcedView">): string | null {
  if (row.announcedView === LEGACY_ANNOUNCED_VIEW) return pipelineViewKey(rowView(row));
  return row.announcedView;
}

/** Why an object that no longer qualifies left the set, in the pipeline's words. */
export function leaveReason(state: ObjectState, reason: ObjectReason | null): LeaveReason {
  if (state === "deleted") return "deleted_in_mux";
  if (reason === "filtered") return "filtered";
  if (reason === "no_playback_id" || reason === "drm_only" || reason === "signed_without_key")
    return "no_playback_id";
  return "no_rendition";
}
