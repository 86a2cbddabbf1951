/**
 * What the pipeline sees of an object, and so what counts as a change worth telling it: the
 * asset's metadata, the chosen rendition (by name: a new download of the same file is not a
 * change), and the source playback id and policy. Messages, re-checks and renditions that become
 * ready without being chosen change none of these, so they are never announced.
 */
import type { ObjectMetadata } from "../db/documents";
import type { LeaveReason, ObjectReason, ObjectRow, ObjectState } from "../db/schema";

export type PipelineView = {
  metadata: ObjectMetadata | null;
  rendition: string | null;
  playbackId: string | null;
  playbackPolicy: string | null;
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

/** A stable text for comparing views (field order fixed, so equal views give equal keys). */
export function pipelineViewKey(view: PipelineView): string {
  const metadata = view.metadata ? METADATA_FIELDS.map((field) => view.metadata?.[field] ?? null) : null;
  return JSON.stringify([metadata, view.rendition, view.playbackId, view.playbackPolicy]);
}

/** The view the object's row holds now. */
export function rowView(
  row: Pick<ObjectRow, "metadata" | "rendition" | "playbackId" | "playbackPolicy">,
): PipelineView {
  return {
    metadata: row.metadata,
    rendition: row.rendition?.name ?? null,
    playbackId: row.playbackId,
    playbackPolicy: row.playbackPolicy,
  };
}

/** The key of the view the pipeline has or may have been sent, or null when it has none. */
export function announcedKey(
  row: Pick<ObjectRow, "announcedView" | "metadata" | "rendition" | "playbackId" | "playbackPolicy">,
): string | null {
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
