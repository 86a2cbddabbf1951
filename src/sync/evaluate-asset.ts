/**
 * The gates an asset passes on its way to `ready`, as one pure function of the fresh asset (Mux
 * is the truth; the webhook that triggered us may be stale or partial) and the sync's settings.
 * Each outcome carries a reason a person can act on.
 */
import type { SkipReason, WaitingReason } from "../db/schema";
import { choosePlayback, planRenditions, type RenditionCandidate } from "../mux/renditions";
import type { MuxAsset } from "../mux/schemas";
import { evaluateFilters } from "./filter-evaluation";
import type { FileFilters } from "./filters";

export type Playback = { id: string; policy: "public" | "signed" };

export type Evaluation =
  | { state: "waiting_for_asset"; message: string }
  | { state: "skipped"; reason: SkipReason; message: string }
  /** `reason`: what the sync asked for is awaited (`rendition_requested`), not Mux alone. */
  | { state: "waiting_for_rendition"; message: string; reason?: WaitingReason }
  /** Usable MP4s are listed: the first candidate is the choice, the others are fallbacks. */
  | { state: "ready"; playback: Playback; candidates: RenditionCandidate[] }
  /** The asset says MP4s exist but lists none: HEAD these names on the stream host, in order. */
  | { state: "probe"; playback: Playback; names: string[] };

export type EvaluationContext = {
  filters: FileFilters;
  renditionPreference: readonly string[] | null;
  hasSigningKey: boolean;
  now: number;
  /** When the object first waited for an MP4 (null if it never did). */
  waitingSince: number | null;
  /** How long a ready asset may wait for an MP4 before it is skipped. */
  renditionGraceMs: number;
};

export const DEFAULT_RENDITION_GRACE_MS = 24 * 3600_000;

export const NO_STATIC_RENDITIONS_HELP =
  "No MP4 rendition became available: enable static renditions (MP4 support) on the asset in Mux, " +
  'e.g. POST /video/v1/assets/{ASSET_ID}/static-renditions with {"resolution":"highest"}';

export function evaluateAsset(asset: MuxAsset, context: EvaluationContext): Evaluation {
  const filtered = evaluateFilters(asset, context.filters);
  if (!filtered.pass) return { state: "skipped", reason: "filtered", message: filtered.message };

  if (asset.status === "errored") {
    const details = asset.errors?.messages?.join("; ") || asset.errors?.type || "no details from Mux";
    return {
      state: "skipped",
      reason: "asset_errored",
      message: `Mux could not process the asset: ${details}`,
    };
  }
  if (asset.status !== "ready") {
    return { state: "waiting_for_asset", message: `The asset is ${asset.status ?? "not ready"} in Mux` };
  }

  const playback = choosePlayback(asset);
  if (playback.kind === "skip")
    return { state: "skipped", reason: playback.reason, message: playback.message };
  if (playback.policy === "signed" && !context.hasSigningKey) {
    return {
      state: "skipped",
      reason: "signed_without_key",
      message:
        "The asset only has a signed playback ID and the connection has no signing key: " +
        "add signing_key_id and signing_private_key (MUX_SIGNING_KEY / MUX_PRIVATE_KEY) to download it",
    };
  }
  const chosen: Playback = { id: playback.id, policy: playback.policy };

  const plan = planRenditions(asset, context.renditionPreference);
  if (plan.kind === "ready") return { state: "ready", playback: chosen, candidates: plan.candidates };
  if (plan.kind === "probe") return { state: "probe", playback: chosen, names: plan.names };

  const waitedMs = context.waitingSince === null ? 0 : context.now - context.waitingSince;
  if (waitedMs >= context.renditionGraceMs) {
    return {
      state: "skipped",
      reason: "no_static_renditions",
      message: `${NO_STATIC_RENDITIONS_HELP}. ${plan.message}`,
    };
  }
  return { state: "waiting_for_rendition", message: plan.message };
}
