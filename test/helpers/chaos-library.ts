/**
 * What the chaos suite uploads and what it expects of each asset.
 *
 * Uploads: the fake Mux's realistic mix (public and signed playback, DRM-only, no playback id, no
 * MP4 support, errored, both MP4 flavours), each created `preparing` so that it walks the whole
 * lifecycle live and emits its webhooks, with its own timing.
 *
 * Expectations: a deliberately small oracle, written from Mux's documented semantics rather than
 * from the service's code, that says from the asset's *final* state in Mux whether it must reach
 * the pipeline, or which skip reason it must carry.
 */
import { type AssetSpec, type FakeAsset, librarySpecs } from "../../src/fake-mux/index";
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

/** What must have happened to an asset, judged from how Mux shows it at the end. */
export function expectationFor(asset: FakeAsset): Expectation {
  if (asset.status === "errored") return { deliver: false, reason: "asset_errored" };
  const policies = (asset.playback_ids ?? []).map((p) => p.policy);
  if (policies.length === 0) return { deliver: false, reason: "no_playback_id" };
  if (!policies.includes("public") && !policies.includes("signed"))
    return { deliver: false, reason: "drm_only" };
  return hasUsableMp4(asset) ? { deliver: true } : { deliver: false, reason: "no_static_renditions" };
}

function hasUsableMp4(asset: FakeAsset): boolean {
  const hasVideo = (asset.tracks ?? []).some((track) => track.type === "video");
  const renditions = asset.static_renditions;
  if (!renditions?.files) return false;
  // Legacy files carry no status: the aggregate says whether they exist.
  const legacyReady = renditions.status === "ready";
  return renditions.files.some((file) => {
    const ready = file.status === undefined ? legacyReady : file.status === "ready";
    // Audio is only a fallback for assets that have no video at all.
    return ready && (file.ext === "mp4" || (!hasVideo && file.ext === "m4a"));
  });
}
