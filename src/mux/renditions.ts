/**
 * Which MP4 (or M4A) rendition of a ready asset to download, and through which playback ID.
 * Pure: it reads a parsed asset and answers; probing, signing and downloading live elsewhere.
 *
 * `static_renditions.files[]` comes in two forms (see DESIGN §4 and mux-facts §3.1):
 * - legacy `mp4_support`: files carry no status; only the aggregate `static_renditions.status`
 *   says whether they can be fetched;
 * - Static Renditions API: every file carries its own status and the aggregate is meaningless.
 * Both are folded into one model: a file's effective status is its own status, else the aggregate.
 */
import { AUDIO_RENDITION, normaliseRenditionName } from "./rendition-names";
import type { MuxAsset, StaticRenditionFile } from "./schemas";

export const DEFAULT_RENDITION_PREFERENCE: readonly string[] = [
  "low.mp4",
  "medium.mp4",
  "high.mp4",
  "highest.mp4",
];

export type RenditionCandidate = {
  name: string;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  filesize: number | null;
};

export type RenditionPlan =
  /** Every usable ready file, in the order to try: the first is the choice, the rest are fallbacks. */
  | { kind: "ready"; candidates: RenditionCandidate[] }
  /** MP4s were requested and are being made, but none usable is ready yet. */
  | { kind: "pending"; message: string }
  /** The asset says MP4s may exist but lists no files: HEAD these names, in this order. */
  | { kind: "probe"; names: string[] }
  /** No usable MP4 will come: none was requested, or every one was skipped or errored. */
  | { kind: "none"; message: string };

export type PlaybackChoice =
  | { kind: "ok"; id: string; policy: "public" | "signed" }
  | { kind: "skip"; reason: "no_playback_id" | "drm_only"; message: string };

/** The names `mp4_support` can produce, smallest first (mux-facts §3.1). */
const LEGACY_VIDEO_NAMES: readonly string[] = ["low.mp4", "medium.mp4", "high.mp4", "capped-1080p.mp4"];

/**
 * Heights to sort by when a file does not report its own (legacy files may omit it; files that
 * are still preparing always do). Only the order matters, not the exact values.
 */
const NOMINAL_HEIGHTS: Readonly<Record<string, number>> = {
  "low.mp4": 360,
  "medium.mp4": 540,
  "high.mp4": 720,
  "capped-1080p.mp4": 1080,
  // `highest` is the asset's own top resolution, up to 2160p: sort it after every named size.
  "highest.mp4": 2161,
};

export const RENDITION_MESSAGES = {
  preparing: "MP4 renditions are still being prepared by Mux",
  assetPreparing: "The asset is still being processed by Mux; its MP4 renditions come after it is ready",
  assetErrored: "The asset errored in Mux, so no MP4 rendition will be made",
  legacyErrored:
    "Mux could not create this asset's MP4 renditions (static_renditions.status is errored): re-enable MP4 support or create a static rendition on the asset",
  noStaticRenditions:
    "This asset has no static renditions: enable MP4 support (static renditions) on the asset so an MP4 can be downloaded",
} as const;

type EffectiveStatus = "ready" | "waiting" | "unusable";

type ListedFile = { file: StaticRenditionFile; status: EffectiveStatus; isAudio: boolean };

export function planRenditions(asset: MuxAsset, preference?: readonly string[] | null): RenditionPlan {
  const gate = planForUnreadyAsset(asset);
  if (gate) return gate;

  const order = preferenceOrder(preference);
  const files = asset.static_renditions?.files ?? [];
  if (files.length === 0) return planWithoutFileList(asset, order);

  const audioAllowed = order.includes(AUDIO_RENDITION) || hasNoVideo(asset, files);
  const listed = files.map((file) => listFile(file, asset.static_renditions?.status));
  const usable = listed.filter((entry) => !entry.isAudio || audioAllowed);

  const ready = usable.filter((entry) => entry.status === "ready").map((entry) => toCandidate(entry.file));
  if (ready.length > 0) return { kind: "ready", candidates: orderCandidates(ready, order) };
  if (usable.some((entry) => entry.status === "waiting"))
    return { kind: "pending", message: RENDITION_MESSAGES.preparing };
  return {
    kind: "none",
    message: explainNoUsableFile(listed, audioAllowed, asset.static_renditions?.status),
  };
}

/** Callers gate on `status === "ready"`, but an unready asset still gets a truthful answer. */
function planForUnreadyAsset(asset: MuxAsset): RenditionPlan | null {
  if (asset.status == null || asset.status === "ready") return null;
  if (asset.status === "errored") return { kind: "none", message: RENDITION_MESSAGES.assetErrored };
  return { kind: "pending", message: RENDITION_MESSAGES.assetPreparing };
}

/** The head of the order to try: the sync's preference (normalised, deduplicated) or the default. */
function preferenceOrder(preference: readonly string[] | null | undefined): string[] {
  const source = preference && preference.length > 0 ? preference : DEFAULT_RENDITION_PREFERENCE;
  return [...new Set(source.map(normaliseRenditionName))];
}

function listFile(file: StaticRenditionFile, aggregateStatus: string | null | undefined): ListedFile {
  return { file, status: effectiveStatus(file, aggregateStatus), isAudio: isAudioFile(file) };
}

function effectiveStatus(
  file: StaticRenditionFile,
  aggregateStatus: string | null | undefined,
): EffectiveStatus {
  // Static Renditions API: the file's own status decides and the aggregate is ignored.
  if (file.status != null) return classifyStatus(file.status);
  // Legacy: Mux lists files only once the aggregate is ready, so a file listed with no status
  // anywhere (the bare-array form) is taken as ready; a failed download falls back anyway.
  if (aggregateStatus == null) return "ready";
  return classifyStatus(aggregateStatus);
}

function classifyStatus(status: string): EffectiveStatus {
  switch (status) {
    case "ready":
      return "ready";
    case "skipped":
    case "errored":
    case "disabled":
    case "deleted":
      return "unusable";
    default:
      // `preparing`, and any status Mux adds later: waiting is the safe reading, because the
      // object then stays visible (waiting_for_rendition) instead of being skipped for good.
      return "waiting";
  }
}

function isAudioFile(file: StaticRenditionFile): boolean {
  return file.name === AUDIO_RENDITION || file.ext === "m4a" || file.resolution === "audio-only";
}

/**
 * An asset with no video may deliver `audio.m4a`. Mux's own description wins (`resolution_tier`,
 * then the track list); only when it says nothing do the files decide (no video file listed).
 */
function hasNoVideo(asset: MuxAsset, files: readonly StaticRenditionFile[] = []): boolean {
  if (asset.resolution_tier === "audio-only") return true;
  if (asset.resolution_tier != null) return false;
  if (asset.tracks && asset.tracks.length > 0) return !asset.tracks.some((track) => track.type === "video");
  return files.length > 0 && files.every(isAudioFile);
}

function toCandidate(file: StaticRenditionFile): RenditionCandidate {
  return {
    name: file.name,
    width: toNumberOrNull(file.width),
    height: toNumberOrNull(file.height),
    bitrate: toNumberOrNull(file.bitrate),
    filesize: toNumberOrNull(file.filesize),
  };
}

/** The schema already turns numeric strings into numbers; this keeps working if it ever does not. */
function toNumberOrNull(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** Preferred names first, in preference order; then everything else smallest first. */
function orderCandidates(
  candidates: readonly RenditionCandidate[],
  order: readonly string[],
): RenditionCandidate[] {
  const preferred = order.flatMap((name) => candidates.filter((candidate) => candidate.name === name));
  const rest = candidates.filter((candidate) => !order.includes(candidate.name)).sort(smallestFirst);
  return [...preferred, ...rest];
}

/** By height, then file size, then bitrate; audio after video; the name keeps ties stable. */
function smallestFirst(a: RenditionCandidate, b: RenditionCandidate): number {
  return (
    compareNumbers(sortHeight(a), sortHeight(b)) ||
    compareNumbers(a.filesize, b.filesize) ||
    compareNumbers(a.bitrate, b.bitrate) ||
    a.name.localeCompare(b.name)
  );
}

function sortHeight(candidate: RenditionCandidate): number | null {
  if (candidate.name === AUDIO_RENDITION) return Number.POSITIVE_INFINITY;
  return candidate.height ?? nominalHeight(candidate.name);
}

/** `720p.mp4` → 720, `low.mp4` → 360 …; null when the name says nothing about size. */
function nominalHeight(name: string): number | null {
  const match = /^(\d+)p\.mp4$/.exec(name);
  if (match?.[1]) return Number(match[1]);
  return NOMINAL_HEIGHTS[name] ?? null;
}

/** Unknown sizes sort after known ones. */
function compareNumbers(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function explainNoUsableFile(
  listed: readonly ListedFile[],
  audioAllowed: boolean,
  aggregateStatus: string | null | undefined,
): string {
  const legacy = listed.every((entry) => entry.file.status == null);
  if (legacy && aggregateStatus === "errored") return RENDITION_MESSAGES.legacyErrored;
  if (legacy && aggregateStatus === "disabled") return RENDITION_MESSAGES.noStaticRenditions;
  const onlyAudioReady = !audioAllowed && listed.some((entry) => entry.isAudio && entry.status === "ready");
  if (onlyAudioReady) {
    return `Only ${AUDIO_RENDITION} is available for this asset and its video renditions were skipped or failed: add "${AUDIO_RENDITION}" to the sync's rendition_preference to accept audio, or create a video static rendition on the asset`;
  }
  const names = listed.map((entry) => `${entry.file.name} (${entry.file.status ?? "no status"})`).join(", ");
  return `No usable static rendition: Mux skipped or failed every MP4 requested for this asset [${names}]; create a static rendition Mux can make (for example "highest") on the asset`;
}

/**
 * No `files[]`. Legacy assets list files only once the aggregate is ready, so the aggregate and
 * `mp4_support` decide whether MP4s exist at all; when they might, their names are guessed.
 */
function planWithoutFileList(asset: MuxAsset, order: readonly string[]): RenditionPlan {
  const aggregate = asset.static_renditions?.status ?? null;
  const mp4Support = asset.mp4_support ?? null;
  const legacyRequested = mp4Support !== null && mp4Support !== "none";

  if (aggregate === "errored") {
    return { kind: "none", message: RENDITION_MESSAGES.legacyErrored };
  }
  if (aggregate === "disabled" || (aggregate === null && !legacyRequested)) {
    return { kind: "none", message: RENDITION_MESSAGES.noStaticRenditions };
  }
  if (aggregate === "ready" || (aggregate === null && legacyRequested)) {
    return { kind: "probe", names: probeNames(asset, order, legacyRequested) };
  }
  return { kind: "pending", message: RENDITION_MESSAGES.preparing };
}

/**
 * Names worth a HEAD, in order. An audio-only asset can only have `audio.m4a`. A legacy asset can
 * only have legacy names, so preferred names it cannot produce are dropped rather than wasted on
 * a request. Without `mp4_support` the flavour is unknown: keep the preference as given and add
 * the legacy names and `highest.mp4` (advanced `<res>.mp4` files are always listed when they exist).
 */
function probeNames(asset: MuxAsset, order: readonly string[], legacy: boolean): string[] {
  if (hasNoVideo(asset)) return [AUDIO_RENDITION];
  const known = legacy ? LEGACY_VIDEO_NAMES : [...LEGACY_VIDEO_NAMES, "highest.mp4"];
  const head = legacy ? order.filter((name) => known.includes(name) || name === AUDIO_RENDITION) : order;
  return [...new Set([...head, ...known])];
}

/** A `public` ID first (no token needed), then `signed`. DRM IDs cannot serve MP4s. */
export function choosePlayback(asset: MuxAsset): PlaybackChoice {
  const ids = asset.playback_ids ?? [];
  for (const policy of ["public", "signed"] as const) {
    const match = ids.find((entry) => entry.policy.toLowerCase() === policy);
    if (match) return { kind: "ok", id: match.id, policy };
  }
  if (ids.some((entry) => entry.policy.toLowerCase() === "drm")) {
    return {
      kind: "skip",
      reason: "drm_only",
      message:
        "This asset only has DRM playback IDs, which cannot serve MP4 renditions: add a public or signed playback ID to the asset",
    };
  }
  return {
    kind: "skip",
    reason: "no_playback_id",
    message:
      "This asset has no public or signed playback ID, so its MP4 cannot be fetched: add one to the asset in Mux",
  };
}
