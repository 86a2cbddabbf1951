/**
 * The `wait_for` hold: with `wait_for: ["captions"]`, an object that has everything else
 * `object.ready` needs (a usable playback id, a resolved MP4, the filters passed) is held until
 * its asset has a ready text track, at most the sync's `wait_for_grace_seconds`.
 *
 * The rule:
 * - A held object is `waiting_for_rendition` with reason `waiting_for_captions`: it is not in the
 *   pipeline's set yet, so nothing is announced, and the poller's re-check of waiting objects
 *   reads it again each pass (the grace is enforced even if no webhook comes).
 * - The grace runs from `wait_for_since`, the first time the object was found with everything
 *   else it needed and no captions; it is kept while the object is held, ready or delivered, and
 *   cleared (with `wait_for_expired_at`) when the object stops qualifying, so a later return is
 *   held afresh.
 * - A ready text track releases it (`object.ready` carries the track). Once the grace is over it
 *   is released without one: `wait_for_expired_at` records when, and its history says why.
 * - Only joining is held: an object the pipeline has (or may have) been sent is never held again,
 *   so captions deleted after delivery give an `object.updated`, not a departure.
 */
import type { ObjectRow } from "../db/schema";
import type { MuxAsset } from "../mux/schemas";
import { readyTextTracks } from "../mux/tracks";
import type { ObjectChange } from "./object-writes";
import type { WaitForKind } from "./settings";

export type WaitForInput = {
  /** The sync's `wait_for` (stored validated; an unknown kind is not waited for). */
  waitFor: readonly string[];
  graceSeconds: number;
  asset: Pick<MuxAsset, "tracks">;
  existing: Pick<ObjectRow, "announcedView" | "waitForSince" | "waitForExpiredAt"> | null;
  now: number;
};

export type WaitForDecision =
  /** Nothing to wait for: no `wait_for`, captions are ready, or the pipeline already has the object. */
  | { kind: "go"; waitForSince: number | null; waitForExpiredAt: number | null }
  | { kind: "hold"; waitForSince: number; message: string }
  /** The grace ran out: go on without captions. */
  | { kind: "expired"; waitForSince: number; waitForExpiredAt: number; message: string };

export function decideWaitFor(input: WaitForInput): WaitForDecision {
  const { existing, now } = input;
  const since = existing?.waitForSince ?? null;
  const expiredAt = existing?.waitForExpiredAt ?? null;
  const go: WaitForDecision = { kind: "go", waitForSince: since, waitForExpiredAt: expiredAt };
  if (!input.waitFor.includes("captions" satisfies WaitForKind)) return go;
  if (existing?.announcedView != null) return go;
  if (readyTextTracks(input.asset).length > 0) return go;
  const start = since ?? now;
  const grace = `${input.graceSeconds} s`;
  if (now - start < input.graceSeconds * 1000) {
    return {
      kind: "hold",
      waitForSince: start,
      message: `The sync waits for captions (wait_for): held until the asset has a ready text track, at most ${grace} (wait_for_grace_seconds)`,
    };
  }
  return {
    kind: "expired",
    waitForSince: start,
    waitForExpiredAt: expiredAt ?? now,
    message: `No caption track became ready within the ${grace} wait_for grace: delivered without captions`,
  };
}

/** The hold's columns for the object's change; `null` (the object does not qualify) clears them. */
export function waitForFields(
  decision: WaitForDecision | null,
): Pick<ObjectChange, "waitForSince" | "waitForExpiredAt"> {
  if (decision === null) return { waitForSince: null, waitForExpiredAt: null };
  if (decision.kind === "hold") return { waitForSince: decision.waitForSince };
  return { waitForSince: decision.waitForSince, waitForExpiredAt: decision.waitForExpiredAt };
}

/** What a held object is: waiting, for the reason the sync gave, with the hold's message. */
export function heldChange(
  decision: Extract<WaitForDecision, { kind: "hold" }>,
): Pick<ObjectChange, "state" | "reason" | "message"> {
  return { state: "waiting_for_rendition", reason: "waiting_for_captions", message: decision.message };
}
