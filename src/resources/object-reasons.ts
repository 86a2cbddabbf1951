/**
 * What an object's state and reason mean, in plain words, and what a person can do about each:
 * one table, keyed by the value sets of `src/db/schema.ts`, so a reason added there does not
 * compile until it is explained here. Where the service already words a fix in the messages it
 * stores (the MP4 hint of `evaluate-asset.ts`), the sentence reuses that wording.
 */
import type { ObjectReason, ObjectState } from "../db/schema";
import { NO_STATIC_RENDITIONS_HELP } from "../sync/evaluate-asset";

export type ReasonText = {
  /** What happened, as a sentence. */
  what: string;
  /** What a person can do about it. */
  fix: string;
};

export const STATE_SENTENCES: Record<ObjectState, string> = {
  waiting_for_asset:
    "The asset is still being prepared by Mux; it is looked at again when Mux says it changed.",
  waiting_for_rendition: "The asset is ready in Mux, but no MP4 rendition is ready yet.",
  ready: "An MP4 rendition is chosen; the object is on its way to the pipeline.",
  delivered: "The pipeline accepted the object's latest version.",
  skipped: "The asset does not qualify for the pipeline; the reason below says why.",
  failed: "The work on this object gave up after its last attempt; the reason below says where.",
  deleted: "The asset was deleted in Mux, and the pipeline is told it left.",
};

export const REASON_TEXTS: Record<ObjectReason, ReasonText> = {
  asset_errored: {
    what: "Mux could not process the asset, so it has no playable video.",
    fix: "Upload the video again in Mux; the new asset is picked up by the next pass.",
  },
  no_playback_id: {
    what: "The asset has no public or signed playback ID, so nothing can be downloaded.",
    fix: "Add a public or signed playback ID to the asset in Mux.",
  },
  drm_only: {
    what: "The asset's only playback IDs are DRM-protected; MP4 renditions cannot be downloaded through them.",
    fix: "Add a public or signed playback ID to the asset in Mux.",
  },
  signed_without_key: {
    what: "The asset only has a signed playback ID, and the connection has no signing key to make a token.",
    fix: "Give the connection a signing key (signing_key_id and signing_private_key, or MUX_SIGNING_KEY and MUX_PRIVATE_KEY).",
  },
  filtered: {
    what: "The sync's file filters leave this asset out.",
    fix: "Change the sync's file_filters if the asset should be in the bucket.",
  },
  no_static_renditions: {
    what: "No MP4 rendition became available within the grace period, or Mux made none of those asked for (create_renditions).",
    fix: `${NO_STATIC_RENDITIONS_HELP}; or set create_renditions on the sync so mux-ingest asks Mux for one.`,
  },
  no_write_permission: {
    what: "An MP4 was to be created in Mux (the sync's create_renditions), but the connection's token may not write to Mux Video.",
    fix: "Give the access token Mux Video write permission, or enable MP4 support on the asset in Mux yourself.",
  },
  rendition_requested: {
    what: "An MP4 rendition was asked of Mux (the sync's create_renditions) and is being made.",
    fix: "Nothing to do: the object moves on when Mux says the rendition is ready.",
  },
  waiting_for_captions: {
    what: "The sync waits for the asset's captions (wait_for: captions) before it is delivered.",
    fix: "Nothing to do unless the captions never come: check the asset's text tracks in Mux, or take captions out of the sync's wait_for.",
  },
  ingest_failed: {
    what: "Reading or judging the asset failed on every attempt (Mux unreachable, refused, or answering nonsense).",
    fix: "Check the connection (test it), then retry the object.",
  },
  download_failed: {
    what: "Downloading the MP4 into storage failed on every attempt.",
    fix: "Check STORAGE_DIR (space, permissions) and the stream host, then retry the object.",
  },
  delivery_failed: {
    what: "The pipeline did not accept the delivery on any attempt.",
    fix: "Check the bucket's pipeline (its URL, its answer below), then retry the object: it is read again and delivered afresh.",
  },
  deleted_in_mux: {
    what: "The asset no longer exists in Mux.",
    fix: "Nothing to do: the pipeline is told the object left.",
  },
};

/** The reason's text, or a plain fallback for a reason this version does not know (written by a newer one). */
export function reasonText(reason: string | null): ReasonText | null {
  if (reason === null) return null;
  if (Object.hasOwn(REASON_TEXTS, reason)) return REASON_TEXTS[reason as ObjectReason];
  return { what: `Reason: ${reason}.`, fix: "See the message below." };
}

export function stateSentence(state: string): string {
  return Object.hasOwn(STATE_SENTENCES, state) ? STATE_SENTENCES[state as ObjectState] : `State: ${state}.`;
}
