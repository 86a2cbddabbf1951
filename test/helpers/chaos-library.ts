/**
 * What the chaos suite uploads and what it expects of each asset.
 *
 * Uploads: the fake Mux's realistic mix (public and signed playback, DRM-only, no playback id, no
 * MP4 support, errored, both MP4 flavours), each created `preparing` so that it walks the whole
 * lifecycle live and emits its webhooks, with its own timing.
 *
 * Expectations: a deliberately small oracle, written from Mux's documented semantics and the
 * README's rendition rule rather than from the service's code, that says from the asset's *final*
 * state in Mux whether it must be in the pipeline (and with which metadata and file), or which
 * skip reason it must carry.
 */
import {
  type AssetSpec,
  type FakeAsset,
  librarySpecs,
  type RestStaticRenditionFile,
} from "../../src/fake-mux/index";
import { seededRandom } from "../../src/fake-mux/random";
import type { ChaosRandom } from "./chaos-random";

export function liveUploadSpecs(count: number, seed: number, random: ChaosRandom): AssetSpec[] {
  return librarySpecs(count, seededRandom(seed), Date.now()).map(({ kind, spec }) => {
    const { createdAt: _createdAt, renditionsReady: _renditionsReady, status: _status, ...rest } = spec;
    return {
      ...rest,
      status: "preparing",
      outcome: kind === "errored" ? "errored" : "ready",
      // Short clips keep the run small; the lifecycle timing varies per asset, as on Mux.
      duration: random.int(5, 120),
      readyAfterMs: random.int(500, 4_000),
      renditionsAfterMs: random.int(500, 5_000),
    };
  });
}

export type Expectation = { deliver: true } | { deliver: false; reason: string };

/** What the pipeline must hold for a qualifying asset at the end. */
export type ExpectedView = { title: string | null; passthrough: string | null; rendition: string };

/**
 * What must have happened to an asset, judged from how Mux shows it at the end and the sync's
 * final filter (`passthrough` not equal to `excludedPassthrough`; filters are judged first).
 */
export function expectationFor(asset: FakeAsset, excludedPassthrough: string | null): Expectation {
  if (excludedPassthrough !== null && asset.passthrough === excludedPassthrough)
    return { deliver: false, reason: "filtered" };
  if (asset.status === "errored") return { deliver: false, reason: "asset_errored" };
  const policies = (asset.playback_ids ?? []).map((p) => p.policy);
  if (policies.length === 0) return { deliver: false, reason: "no_playback_id" };
  if (!policies.includes("public") && !policies.includes("signed"))
    return { deliver: false, reason: "drm_only" };
  return usableFiles(asset).length > 0
    ? { deliver: true }
    : { deliver: false, reason: "no_static_renditions" };
}

/** The view of a qualifying asset: its metadata and the file the default preference picks. */
export function expectedView(asset: FakeAsset): ExpectedView {
  return {
    title: asset.meta?.title ?? null,
    passthrough: asset.passthrough || null,
    rendition: chosenRendition(asset) ?? "none",
  };
}

/** The documented default: low, medium, high, highest by name; else the smallest video file. */
const PREFERRED = ["low.mp4", "medium.mp4", "high.mp4", "highest.mp4"];

function chosenRendition(asset: FakeAsset): string | null {
  const files = usableFiles(asset);
  for (const name of PREFERRED) if (files.some((file) => file.name === name)) return name;
  const size = (file: RestStaticRenditionFile) =>
    file.ext === "m4a" ? Number.POSITIVE_INFINITY : (file.height ?? nominalHeight(file.name));
  const sorted = [...files].sort(
    (a, b) =>
      size(a) - size(b) || Number(a.filesize ?? 0) - Number(b.filesize ?? 0) || a.name.localeCompare(b.name),
  );
  return sorted[0]?.name ?? null;
}

function nominalHeight(name: string): number {
  const match = /(\d{3,4})p/.exec(name);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

function usableFiles(asset: FakeAsset): RestStaticRenditionFile[] {
  const hasVideo = (asset.tracks ?? []).some((track) => track.type === "video");
  const renditions = asset.static_renditions;
  if (!renditions?.files) return [];
  // Legacy files carry no status: the aggregate says whether they exist.
  const legacyReady = renditions.status === "ready";
  return renditions.files.filter((file) => {
    const ready = file.status === undefined ? legacyReady : file.status === "ready";
    // Audio is only a fallback for assets that have no video at all.
    return ready && (file.ext === "mp4" || (!hasVideo && file.ext === "m4a"));
  });
}
