/**
 * A seeded library with the mix a real Mux environment has: public assets with MP4s and
 * (about 40 %) without any MP4 support, some signed, some DRM-only, some without playback ids,
 * some errored, some still preparing; both MP4 flavours; on request, a share of captioned assets.
 * Only the seed decides the mix (no Math.random), so `--assets 60 --seed 7` is the same library
 * on every machine.
 */
import { muxId, type Random } from "./random";
import type {
  AssetSpec,
  Mp4Support,
  PlaybackPolicy,
  StaticRenditionResolution,
  TextTrackSpec,
} from "./types";

export type LibraryOptions = {
  /**
   * The share (0..1) of assets with text tracks: Mux-generated English captions, uploaded
   * subtitles in another language, or both. Default 0 (a seed's library is what it always was).
   */
  captioned?: number;
  /** Share (0..1) of assets with no MP4 at all; the other kinds share the rest in their proportions. */
  noMp4Share?: number;
};

/** Captions drawn from their own stream, so asking for them changes nothing else in the library. */
export type CaptionDraws = { share: number; random: Random };

const SUBTITLE_LANGUAGES: Array<[string, string]> = [
  ["fr", "Français"],
  ["de", "Deutsch"],
  ["es", "Español"],
  ["ja", "日本語"],
  ["pt-BR", "Português (Brasil)"],
];

/**
 * The same draws per asset whatever the outcome (track ids included, so the library's own
 * stream, which makes the asset ids, is never touched): each asset's captions depend on its
 * position only.
 */
function captionsFor(draws: CaptionDraws): TextTrackSpec[] | undefined {
  const captioned = draws.random.chance(draws.share);
  const variant = draws.random.next();
  const [languageCode, name] = draws.random.pick(SUBTITLE_LANGUAGES);
  const ids = [muxId(draws.random, 44), muxId(draws.random, 44)];
  if (!captioned) return undefined;
  const generated: TextTrackSpec = { id: ids[0], textSource: "generated_vod", closedCaptions: true };
  const uploaded: TextTrackSpec = { id: ids[1], textSource: "uploaded", languageCode, name };
  if (variant < 0.5) return [generated];
  if (variant < 0.8) return [uploaded];
  return [uploaded, generated];
}

const DAY_MS = 86_400_000;
const TITLES = [
  "Product tour",
  "Keynote",
  "Onboarding",
  "Team sync",
  "Launch teaser",
  "Webinar",
  "Interview",
  "Tutorial",
];
const SIZES: Array<[number, number]> = [
  [1920, 1080],
  [1280, 720],
  [3840, 2160],
  [640, 360],
  [854, 480],
  [1080, 1920],
  [480, 270],
  [2560, 1440],
];
const LEGACY: Mp4Support[] = ["standard", "capped-1080p", "capped-1080p", "audio-only,capped-1080p"];
const API_SETS: StaticRenditionResolution[][] = [
  ["highest"],
  ["highest", "audio-only"],
  ["1080p", "720p", "360p"],
  ["2160p", "720p"],
  ["270p"],
];

/**
 * The kinds of asset in the mix, with their weights (out of 100). MP4s are opt-in on Mux, so
 * two assets in five have no MP4 support at all (`no-mp4`: no `mp4_support` or `none`, no
 * static renditions); every other kind has MP4s of one flavour or the other.
 */
const KINDS = [
  ["public-mp4", 25],
  ["signed-mp4", 10],
  ["public-and-signed", 4],
  ["drm-only", 5],
  ["no-playback-id", 4],
  ["no-mp4", 40],
  ["errored", 5],
  ["preparing", 7],
] as const;
export type LibraryKind = (typeof KINDS)[number][0];

/** The share of `no-mp4` assets unless a library says otherwise. */
export const DEFAULT_NO_MP4_SHARE = 0.4;

/**
 * The kinds for `count` assets: `no-mp4` at its share, each other kind at its share of the
 * weights of the rest (at least one of each once the library is big enough to hold them all),
 * the remainder public, shuffled. Dealt rather than drawn, so even a 60-asset demo library has
 * every kind.
 */
function dealKinds(count: number, random: Random, noMp4Share: number): LibraryKind[] {
  const deck: LibraryKind[] = [];
  const noMp4 = Math.min(count, Math.round(count * Math.min(1, Math.max(0, noMp4Share))));
  const rest = count - noMp4;
  const restWeight = 100 - DEFAULT_NO_MP4_SHARE * 100;
  for (const [kind, weight] of KINDS) {
    if (kind === "public-mp4") continue;
    const share = Math.floor((rest * weight) / restWeight);
    const quota = kind === "no-mp4" ? noMp4 : rest >= KINDS.length * 2 ? Math.max(1, share) : share;
    for (let i = 0; i < quota; i++) deck.push(kind);
  }
  while (deck.length < count) deck.push("public-mp4");
  for (let i = deck.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [deck[i], deck[j]] = [deck[j] as LibraryKind, deck[i] as LibraryKind];
  }
  return deck;
}

function policiesFor(kind: LibraryKind): PlaybackPolicy[] {
  switch (kind) {
    case "signed-mp4":
      return ["signed"];
    case "public-and-signed":
      return ["public", "signed"];
    case "drm-only":
      return ["drm"];
    case "no-playback-id":
      return [];
    default:
      return ["public"];
  }
}

export type LibraryEntry = { kind: LibraryKind; spec: AssetSpec };

/**
 * `count` specs, created over the 90 days before `nowMs` (oldest first). Assets still
 * preparing were created in the last minutes and will finish on the fake's lifecycle timing.
 */
export function librarySpecs(
  count: number,
  random: Random,
  nowMs: number,
  captions?: CaptionDraws,
  options: Pick<LibraryOptions, "noMp4Share"> = {},
): LibraryEntry[] {
  const entries: LibraryEntry[] = [];
  const kinds = dealKinds(count, random, options.noMp4Share ?? DEFAULT_NO_MP4_SHARE);
  for (let i = 0; i < count; i++) {
    const kind = kinds[i] ?? "public-mp4";
    const [width, height] = random.pick(SIZES);
    const audioOnly = random.chance(0.04);
    const useApi = random.chance(0.4);
    const mp4: Pick<AssetSpec, "mp4Support" | "staticRenditions"> =
      kind === "no-mp4"
        ? random.chance(0.5)
          ? { mp4Support: "none" }
          : {}
        : useApi
          ? { staticRenditions: audioOnly ? ["audio-only"] : random.pick(API_SETS) }
          : { mp4Support: audioOnly ? "audio-only" : random.pick(LEGACY) };
    const ageMs =
      kind === "preparing" ? random.int(0, 120_000) : Math.floor(((count - i) / count) * 90 * DAY_MS);
    const spec: AssetSpec = {
      playbackPolicies: policiesFor(kind),
      ...mp4,
      status: kind === "preparing" ? "preparing" : kind === "errored" ? "errored" : "ready",
      // A few ready assets are still waiting for their MP4s, as right after `video.asset.ready`.
      renditionsReady: !random.chance(0.08),
      hasVideo: !audioOnly,
      ...(!audioOnly && { width, height }),
      duration: Math.round(random.int(5, 600) * 100 + random.int(0, 99)) / 100,
      maxResolutionTier: random.chance(0.1) ? "2160p" : "1080p",
      createdAt: nowMs - ageMs - random.int(0, 59_000),
      passthrough: `lib-${i + 1}`,
      meta: {
        title: `${random.pick(TITLES)} #${i + 1}`,
        creator_id: `creator-${random.int(1, 9)}`,
        external_id: `ext-${i + 1}`,
      },
    };
    const textTracks = captions ? captionsFor(captions) : undefined;
    if (textTracks) spec.textTracks = textTracks;
    entries.push({ kind, spec });
  }
  return entries;
}
