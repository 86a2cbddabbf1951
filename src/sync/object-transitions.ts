/**
 * The transition rule: given an object as stored and what a fresh evaluation of its asset says,
 * what to write and what to tell the pipeline. The pipeline's view is the set of qualifying
 * assets (ready, usable playback id, an MP4, matching the filters); it hears every change to that
 * set and to each member, once:
 * - `object.ready` when an asset joins (first time, or again after it left);
 * - `object.updated` when a member it acknowledged changes what it sees (`pipeline-view.ts`);
 * - `object.deleted`, with a reason, when an asset it has or may have been sent leaves.
 * A change it would not care about (a message, a re-check, a duplicate event) writes nothing.
 * `deleted` is terminal: Mux never reuses an asset id. A rendition the service removed from Mux
 * itself (`remove_created_renditions`) is no change either: the ingest keeps the stored file as the
 * target's rendition before this rule is asked (`keepRemovedRendition`, `rendition-requests.ts`).
 */
import type {
  DeliveryStatus,
  DeliveryType,
  LeaveReason,
  ObjectReason,
  ObjectRow,
  ObjectState,
} from "../db/schema";
import { announcedKey, leaveReason, type PipelineView, pipelineViewKey, rowView } from "./pipeline-view";
import { textRecords, trackFilesStored } from "./track-records";

export type StoredObject = Pick<
  ObjectRow,
  | "state"
  | "reason"
  | "metadata"
  | "rendition"
  | "playbackId"
  | "playbackPolicy"
  | "tracks"
  | "announcedView"
  | "acknowledged"
>;

/** What the asset is now, as the evaluation found it. */
export type Target =
  /** It qualifies: this is the view the pipeline should have. */
  | { qualifies: true; view: PipelineView }
  /** It does not (waiting, skipped, deleted), with the reason. */
  | { qualifies: false; state: ObjectState; reason: ObjectReason | null; view: PipelineView };

export type TransitionContext = {
  /** The bucket has a pipeline URL: changes are delivered. */
  pipeline: boolean;
  /** Renditions are downloaded before delivery. */
  storage: boolean;
  /** The status of the object's newest delivery, if it has one. */
  latestDelivery: DeliveryStatus | null;
};

export type Announcement = { type: DeliveryType; reason: LeaveReason | null };

export type ChangePlan =
  | { write: false }
  | {
      write: true;
      state: ObjectState;
      reason: ObjectReason | null;
      /** Write this to the outbox with the change. */
      announce: Announcement | null;
      /** Download the chosen rendition and the text tracks' files (the delivery follows the download). */
      download: boolean;
      /** Keep the stored file's record (same rendition, already downloaded). */
      keepStoredRendition: boolean;
    };

const NOTHING: ChangePlan = { write: false };

export function decideChange(
  current: StoredObject | null,
  target: Target,
  context: TransitionContext,
): ChangePlan {
  if (current?.state === "deleted") return NOTHING;
  const announced = current ? announcedKey(current) : null;
  if (!target.qualifies) return leaveOrStay(current, target, announced);

  const key = pipelineViewKey(target.view);
  const sameRow = current !== null && pipelineViewKey(rowView(current)) === key;
  const renditionStored =
    current?.rendition?.path !== undefined && current.rendition.name === target.view.rendition;
  const stored = renditionStored && textFilesStored(current, target.view);
  const settled = current !== null && (current.state === "ready" || current.state === "delivered");
  // Nothing the pipeline would see changed, and nothing is left to do for it: already announced,
  // nowhere to announce it, or its download is under way.
  if (settled && sameRow && (announced === key || !context.pipeline || (context.storage && !stored)))
    return NOTHING;

  // A stored MP4 is kept when only text tracks' files are missing: the download fetches those.
  if (context.storage && !stored) return member("ready", null, renditionStored, true);
  if (!context.pipeline) return member("ready", null, stored, false);
  const inFlight = context.latestDelivery === "pending" || context.latestDelivery === "delivered";
  if (announced === key && inFlight) {
    // A job gave up after the pipeline had (or was being sent) this very view: restore the state.
    return member(context.latestDelivery === "delivered" ? "delivered" : "ready", null, stored, false);
  }
  return member("ready", announcementOf(current), stored, false);
}

/** Every text track the view names has its files stored on the object. */
function textFilesStored(current: StoredObject | null, view: PipelineView): boolean {
  const records = new Map(textRecords(current?.tracks).map((track) => [track.id, track]));
  return view.textTracks.every((track) => {
    const record = records.get(track.id);
    return record !== undefined && trackFilesStored(record);
  });
}

/** The type of an announcement that the object qualifies (with its current view). */
export function announcementOf(current: Pick<StoredObject, "acknowledged"> | null): Announcement {
  return { type: current?.acknowledged ? "object.updated" : "object.ready", reason: null };
}

function leaveOrStay(
  current: StoredObject | null,
  target: Extract<Target, { qualifies: false }>,
  announced: string | null,
): ChangePlan {
  const plan = (announce: Announcement | null): ChangePlan => ({
    write: true,
    state: target.state,
    reason: target.reason,
    announce,
    download: false,
    keepStoredRendition: false,
  });
  if (announced !== null)
    return plan({ type: "object.deleted", reason: leaveReason(target.state, target.reason) });
  if (
    current !== null &&
    current.state === target.state &&
    current.reason === target.reason &&
    pipelineViewKey(rowView(current)) === pipelineViewKey(target.view)
  )
    return NOTHING;
  return plan(null);
}

function member(
  state: ObjectState,
  announce: Announcement | null,
  keepStoredRendition: boolean,
  download: boolean,
) {
  return { write: true, state, reason: null, announce, download, keepStoredRendition } satisfies ChangePlan;
}
