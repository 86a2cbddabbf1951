/**
 * What the demo expects of each asset, judged from the fake Mux's own view of it, independently
 * of mux-ingest's gates: an asset that is ready, playable (public, or signed with the key we
 * hold) and has a finished MP4 must reach the pipeline; every other one must carry the reason.
 */
import type { FakeAsset } from "../fake-mux/index";

export type Expectation =
  | { assetId: string; outcome: "delivered" }
  | { assetId: string; outcome: "skipped"; reason: string };

export function expectationFor(asset: FakeAsset): Expectation {
  const { id } = asset;
  if (asset.status === "errored") return { assetId: id, outcome: "skipped", reason: "asset_errored" };
  const policies = (asset.playback_ids ?? []).map((p) => p.policy);
  if (policies.length === 0) return { assetId: id, outcome: "skipped", reason: "no_playback_id" };
  if (!policies.includes("public") && !policies.includes("signed")) {
    return { assetId: id, outcome: "skipped", reason: "drm_only" };
  }
  const files = asset.static_renditions?.files ?? [];
  const legacyReady = asset.static_renditions?.status === "ready";
  const usable = files.some((f) => (f.status ? f.status === "ready" : legacyReady));
  if (!usable) return { assetId: id, outcome: "skipped", reason: "no_static_renditions" };
  return { assetId: id, outcome: "delivered" };
}

/** A person's explanation of each skip reason, in the spirit of the Mux integration docs. */
export const REASON_HELP: Record<string, string> = {
  asset_errored: "Mux could not process the source: check the input file or URL",
  no_playback_id: "the asset has no playback ID: create a public or signed one",
  drm_only: "DRM playback IDs cannot serve MP4s: add a public or signed playback ID",
  signed_without_key: "signed playback needs MUX_SIGNING_KEY and MUX_PRIVATE_KEY",
  no_static_renditions:
    "no MP4 to download, and Mux made none of those asked for (e.g. highest on an audio-only asset)",
  no_write_permission: "the access token is read-only: give it Mux Video Read and Write to create MP4s",
  filtered: "excluded by the sync's file filters",
};
