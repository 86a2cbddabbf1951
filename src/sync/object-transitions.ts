/**
 * Whether a freshly computed state may replace the stored one. Events arrive unordered and jobs
 * may run on stale triggers, so progress only moves forward:
 * waiting_for_asset → waiting_for_rendition → ready → delivered. `deleted` is terminal (Mux never
 * reuses an asset id). Skips and failures are re-evaluated whenever the asset is looked at again.
 */
import type { ObjectState } from "../db/schema";

const PROGRESS: Partial<Record<ObjectState, number>> = {
  waiting_for_asset: 1,
  waiting_for_rendition: 2,
  ready: 3,
  delivered: 4,
};

export type StoredState = { state: ObjectState; reason: string | null; message: string | null };
export type NextState = { state: ObjectState; reason: string | null; message: string | null };

export type TransitionDecision = "apply" | "same" | "refuse";

export function decideTransition(current: StoredState | null, next: NextState): TransitionDecision {
  if (!current) return "apply";
  if (current.state === "deleted") return "refuse";
  if (current.state === next.state && current.reason === next.reason) {
    return current.message === next.message ? "same" : "apply";
  }
  if (next.state === "deleted") return "apply";
  // The pipeline has it: nothing but a deletion changes that.
  if (current.state === "delivered") return "refuse";
  const from = PROGRESS[current.state];
  const to = PROGRESS[next.state];
  if (from !== undefined && to !== undefined && to < from) return "refuse";
  // `ready` is re-announced as ready only by a delivery, never by a re-evaluation.
  if (current.state === "ready" && next.state === "ready") return "same";
  return "apply";
}
