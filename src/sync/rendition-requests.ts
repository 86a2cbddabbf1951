/**
 * MP4s made on demand (`create_renditions`): which resolutions to ask Mux for, and what an asset
 * waiting on such a request is meanwhile. Pure: the ingest job reads the asset, the requests
 * already made (`rendition_requests`, per connection) and what the connection knows of its write
 * permission, and this module answers.
 *
 * The rule, per wanted resolution (`highest` → `highest.mp4`, `audio-only` → `audio.m4a`):
 * - it applies only to a ready asset that passed every other gate and has no usable MP4 (the
 *   evaluation waits for one, or gave up: `no_static_renditions`), never to an asset with legacy
 *   `mp4_support` on (Mux refuses static renditions there; its own MP4s come or failed), nor
 *   while Mux makes a file nobody here asked for (it may be the usable one);
 * - a wanted file that is ready or preparing on Mux stops all asking (for the others too): a
 *   preparing file this service asked for holds the object (`waiting_for_rendition`,
 *   `rendition_requested`), one it did not ask for is Mux's own business (the usual wait);
 * - a wanted file Mux skipped or errored is Mux's answer: never asked again;
 * - a wanted resolution with no file is asked for unless a request exists: once per asset and
 *   resolution per connection. A request refused with 403 is asked again only once the
 *   connection may write again; a token known to be read-only asks nothing and the object is
 *   skipped `no_write_permission`;
 * - an answered request holds the object while Mux makes the file, for at most the rendition
 *   grace period from the answer (a request not yet answered, queued behind Mux's write limit,
 *   holds it without limit);
 * - when every wanted resolution was answered and none gave a usable file, the object is skipped
 *   `no_static_renditions` at once, with what Mux answered.
 */
import type { RenditionRecord } from "../db/documents";
import type { RenditionRequestStatus } from "../db/rendition-requests";
import { renditionNameOf, type StaticRenditionResolution } from "../mux/rendition-names";
import { choosePlayback } from "../mux/renditions";
import type { MuxAsset, StaticRenditionFile } from "../mux/schemas";
import type { Evaluation } from "./evaluate-asset";

/** A request as the rule needs it (a row of `rendition_requests`). */
export type RequestRecord = {
  resolution: string;
  status: RenditionRequestStatus;
  message: string | null;
  answeredAt: number | null;
  removedAt: number | null;
};

export type RequestContext = {
  wanted: readonly StaticRenditionResolution[];
  records: readonly RequestRecord[];
  /** The connection's write permission as last seen (null: unknown, a create will tell). */
  canWrite: boolean | null;
  now: number;
  /** How long Mux may take to make a rendition it accepted before the object stops waiting for it. */
  graceMs: number;
};

export type RequestDecision = {
  evaluation: Evaluation;
  /** Resolutions to ask Mux for now (the write that asks records them, so each is asked once). */
  ask: StaticRenditionResolution[];
};

export const NO_WRITE_PERMISSION_HELP =
  "the access token is read-only: give it Mux Video Read and Write, or enable MP4 support on the asset";

/** What the service's `passthrough` on a rendition it asks for is: a person's renditions never carry it. */
export function requestPassthrough(token: string): string {
  return `mux-ingest:${token}`;
}

/** Whether the decision depends on the requests made for the asset (so they are worth a read). */
export function needsRequestRecords(
  evaluation: Evaluation,
  wanted: readonly string[],
  stored: RenditionRecord | null,
): boolean {
  if (stored && evaluation.state !== "ready" && evaluation.state !== "probe") return true;
  return wanted.length > 0 && hasNoUsableMp4(evaluation);
}

function hasNoUsableMp4(evaluation: Evaluation): boolean {
  return (
    evaluation.state === "waiting_for_rendition" ||
    (evaluation.state === "skipped" && evaluation.reason === "no_static_renditions")
  );
}

/** The asset's Static Renditions API file for a resolution (legacy files carry no status). */
export function apiFileFor(
  asset: MuxAsset,
  resolution: StaticRenditionResolution,
): StaticRenditionFile | undefined {
  const name = renditionNameOf(resolution);
  return (asset.static_renditions?.files ?? []).find(
    (file) => file.status != null && (file.resolution === resolution || file.name === name),
  );
}

/**
 * A rendition this service created and then removed itself (`remove_created_renditions`) is
 * still the object's: its stored copy is what the pipeline has (`path`). So an asset that lists
 * no usable MP4 any more because of that removal still qualifies with the stored file, rather
 * than leaving the pipeline's set or waiting again. A file Mux lists (a person's new rendition,
 * even of the same name) is judged as usual; only the absence the service caused is covered.
 */
export function keepRemovedRendition(
  asset: MuxAsset,
  evaluation: Evaluation,
  stored: RenditionRecord | null,
  records: readonly RequestRecord[],
): Evaluation {
  if (!stored?.path || !hasNoUsableMp4(evaluation)) return evaluation;
  const removed = records.some(
    (r) => r.removedAt !== null && renditionNameOf(r.resolution as StaticRenditionResolution) === stored.name,
  );
  const playback = choosePlayback(asset);
  if (!removed || playback.kind !== "ok") return evaluation;
  const { name, width, height, bitrate, filesize } = stored;
  return {
    state: "ready",
    playback: { id: playback.id, policy: playback.policy },
    candidates: [{ name, width, height, bitrate, filesize }],
  };
}

/** Where one wanted resolution stands. */
type Standing =
  | "made" // ready on Mux (not usable, or the evaluation would be ready)
  | "making" // preparing on Mux, asked for by someone else
  | "awaited" // asked for by this service: not answered yet, or answered and being made
  | "missing" // nothing on Mux, nothing asked: ask now
  | "read-only" // refused with 403 and the token is still read-only
  | "answered"; // Mux's final answer: skipped, errored, refused, or not made in time

type Judged = {
  resolution: StaticRenditionResolution;
  standing: Standing;
  note: string;
  /** Mux lists the file as ready or preparing. */
  onMux: boolean;
};

export function decideRenditionRequests(
  asset: MuxAsset,
  evaluation: Evaluation,
  context: RequestContext,
): RequestDecision {
  const unchanged = { evaluation, ask: [] };
  if (context.wanted.length === 0 || !hasNoUsableMp4(evaluation)) return unchanged;
  if (asset.mp4_support != null && asset.mp4_support !== "none") return unchanged;
  if (makingOthers(asset, context)) return unchanged;
  const judged = context.wanted.map((resolution) => judge(asset, resolution, context));
  if (judged.some((j) => j.standing === "made" || j.standing === "making")) return unchanged;

  const names = (list: Judged[]) => list.map((j) => j.resolution).join(", ");
  // A wanted file Mux lists (one asked for earlier, being made) stops all asking: wait for it.
  const missing = judged.some((j) => j.onMux) ? [] : judged.filter((j) => j.standing === "missing");
  if (missing.length > 0 && context.canWrite !== false) {
    return {
      evaluation: waitingForRequest(
        `Asked Mux for static rendition${plural(missing)} ${names(missing)} (create_renditions); waiting for Mux to make ${missing.length === 1 ? "it" : "them"}`,
      ),
      ask: missing.map((j) => j.resolution),
    };
  }
  const awaited = judged.filter((j) => j.standing === "awaited");
  if (awaited.length > 0) {
    return {
      evaluation: waitingForRequest(
        `Waiting for the static rendition${plural(awaited)} asked of Mux: ${awaited.map((j) => `${j.resolution} (${j.note})`).join(", ")}`,
      ),
      ask: [],
    };
  }
  if (missing.length > 0 || judged.some((j) => j.standing === "read-only")) {
    return {
      evaluation: {
        state: "skipped",
        reason: "no_write_permission",
        message: `The asset has no MP4 and create_renditions asks for ${names(judged)}, but ${NO_WRITE_PERMISSION_HELP}`,
      },
      ask: [],
    };
  }
  const asked = new Set(context.records.map((r) => r.resolution));
  if (!judged.some((j) => asked.has(j.resolution))) return unchanged;
  return {
    evaluation: {
      state: "skipped",
      reason: "no_static_renditions",
      message: `Mux made none of the static renditions asked for (create_renditions): ${judged.map((j) => `${j.resolution}: ${j.note}`).join("; ")}`,
    },
    ask: [],
  };
}

/** Mux is making a file nobody here asked for (it may be usable): the usual wait, nothing asked. */
function makingOthers(asset: MuxAsset, context: RequestContext): boolean {
  const asked = new Set(context.records.map((r) => r.resolution));
  return (asset.static_renditions?.files ?? []).some(
    (file) => file.status === "preparing" && !(file.resolution != null && asked.has(file.resolution)),
  );
}

function judge(asset: MuxAsset, resolution: StaticRenditionResolution, context: RequestContext): Judged {
  const file = apiFileFor(asset, resolution);
  const record = context.records.find((r) => r.resolution === resolution);
  const onMux = file?.status === "ready" || file?.status === "preparing";
  const at = (standing: Standing, note: string): Judged => ({ resolution, standing, note, onMux });
  if (file) {
    if (file.status === "ready") return at("made", "ready");
    if (file.status === "skipped")
      return at(
        "answered",
        `Mux skipped ${file.name} (it would upscale the asset, or needs a track the asset lacks)`,
      );
    if (file.status === "errored") return at("answered", `Mux could not make ${file.name} (errored)`);
    if (!record) return at("making", "preparing");
    return withinGrace(record, context) ? at("awaited", "preparing") : at("answered", notInTime(context));
  }
  if (!record) return at("missing", "not asked yet");
  switch (record.status) {
    case "requested":
      return at("awaited", "asked, Mux has not answered yet");
    case "created":
    case "existing":
      return withinGrace(record, context)
        ? at("awaited", "accepted by Mux")
        : at("answered", `${record.message ?? "accepted"}, but not listed since`);
    case "refused":
      return context.canWrite === false
        ? at("read-only", record.message ?? "403 Forbidden")
        : at("missing", "asked again now that the token may write");
    default:
      return at("answered", `Mux refused the request: ${record.message ?? "no message"}`);
  }
}

function withinGrace(record: RequestRecord, context: RequestContext): boolean {
  return record.answeredAt === null || context.now - record.answeredAt < context.graceMs;
}

function notInTime(context: RequestContext): string {
  return `Mux accepted the request but did not make the file within ${Math.round(context.graceMs / 1000)} s`;
}

function waitingForRequest(message: string): Evaluation {
  return { state: "waiting_for_rendition", reason: "rendition_requested", message };
}

function plural(list: readonly unknown[]): string {
  return list.length === 1 ? "" : "s";
}
