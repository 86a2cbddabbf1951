/**
 * What changes an asset after it exists, besides PATCH: adding and deleting static renditions,
 * the legacy `PUT …/mp4-support`, and completing a live stream. Each returns `undefined` for an
 * unknown asset (a 404) and throws `SpecError` for a request Mux refuses (a 400).
 */
import type { AssetRecord, RenditionFile } from "./asset-record";
import { restAssetView } from "./asset-view";
import { type Emit, emitAssetEvent, emitRenditionEvent, type Lifecycle } from "./lifecycle";
import { planApiFile, planLegacyFiles } from "./renditions";
import { SpecError } from "./spec-error";
import type { CreatedStaticRendition, FakeAsset, Mp4Support, StaticRenditionResolution } from "./types";

/** The parts of an environment these operations work on. */
export type AssetOps = {
  get(assetId: string): AssetRecord | undefined;
  lifecycle: Lifecycle;
  emit: Emit;
  now(): number;
  newId(): string;
};

/** `POST /video/v1/assets/:id/static-renditions`: one more file, `preparing` until it is made. */
export function addStaticRendition(
  ops: AssetOps,
  assetId: string,
  resolution: StaticRenditionResolution,
  passthrough?: string,
): CreatedStaticRendition | undefined {
  const record = ops.get(assetId);
  if (!record) return undefined;
  if (record.flavour.kind === "legacy" && record.flavour.mp4Support !== "none") {
    throw new SpecError("Static renditions cannot be added to an asset with mp4_support enabled");
  }
  if (record.status === "errored")
    throw new SpecError("Static renditions cannot be added to an errored asset");
  if (record.files.some((f) => f.resolution === resolution)) {
    throw new SpecError(`A static rendition with resolution ${resolution} already exists`);
  }
  // Mux: advanced resolutions cannot be mixed with `highest` (both can go with `audio-only`).
  const advanced = (r: string | undefined) => r !== undefined && r !== "highest" && r !== "audio-only";
  const clash = record.files.find(
    (f) =>
      (resolution === "highest" && advanced(f.resolution)) ||
      (advanced(resolution) && f.resolution === "highest"),
  );
  if (clash) {
    throw new SpecError(
      `A static rendition with resolution ${resolution} cannot be combined with the existing ${clash.resolution} rendition`,
    );
  }
  if (record.flavour.kind === "legacy") record.files = [];
  record.flavour = { kind: "api" };
  const id = ops.newId();
  const file: RenditionFile = {
    ...planApiFile(resolution, record.source, record.stored, record.resolutionTier),
    id,
    ...(passthrough !== undefined && { passthrough }),
  };
  record.files.push(file);
  const now = ops.now();
  emitRenditionEvent(record, file, "video.asset.static_rendition.created", ops.emit, now);
  ops.lifecycle.scheduleAddedFile(record, id, now);
  return {
    id,
    type: file.type ?? "standard",
    ext: file.ext,
    status: "preparing",
    resolution,
    name: file.name,
    ...(passthrough !== undefined && { passthrough }),
  };
}

/**
 * `DELETE /video/v1/assets/:id/static-renditions/:rendition_id`: the file leaves
 * `static_renditions.files` (and the stream host) and `video.asset.static_rendition.deleted`
 * fires. The deleted file, or `false` when the asset has no such rendition; the handle also
 * takes the file's name.
 */
export function deleteStaticRendition(
  ops: AssetOps,
  assetId: string,
  renditionIdOrName: string,
  byName = true,
): RenditionFile | false | undefined {
  const record = ops.get(assetId);
  if (!record) return undefined;
  if (record.flavour.kind !== "api") return false;
  const index = record.files.findIndex(
    (f) => f.id === renditionIdOrName || (byName && f.name === renditionIdOrName),
  );
  const file = record.files[index];
  if (!file) return false;
  emitRenditionEvent(record, file, "video.asset.static_rendition.deleted", ops.emit, ops.now());
  record.files.splice(index, 1);
  return file;
}

/**
 * `PUT /video/v1/assets/:id/mp4-support` (legacy): the aggregate status goes back to
 * `preparing` while the files are made or removed, then `ready` with the new list (one
 * `video.asset.static_renditions.ready`), or, for `none`, the files go and
 * `video.asset.static_renditions.deleted` fires.
 */
export function setMp4Support(ops: AssetOps, assetId: string, value: Mp4Support): FakeAsset | undefined {
  const record = ops.get(assetId);
  if (!record) return undefined;
  const { flavour } = record;
  if (flavour.kind === "api" && record.files.length > 0) {
    throw new SpecError("mp4_support cannot be set on an asset with static renditions; delete them first");
  }
  if (record.status === "errored") throw new SpecError("mp4_support cannot be changed on an errored asset");
  const current = flavour.kind === "legacy" ? flavour.mp4Support : "none";
  if (current === value) return restAssetView(record);
  const now = ops.now();
  ops.lifecycle.cancel(record.id, ["renditions"]);
  if (value === "none" && (flavour.kind !== "legacy" || flavour.status === null)) {
    // Nothing was ever made: nothing to remove.
    record.flavour = { kind: "legacy", mp4Support: "none", status: null };
    record.files = [];
    return restAssetView(record);
  }
  record.flavour = { kind: "legacy", mp4Support: value, status: "preparing" };
  if (value !== "none") {
    record.files = planLegacyFiles(value, record.source, record.stored) ?? [];
    emitAssetEvent(record, "video.asset.static_renditions.preparing", ops.emit, now);
  }
  // A preparing asset's finish (or a live one's completion) schedules the files instead.
  ops.lifecycle.scheduleRenditions(record, now);
  return restAssetView(record);
}

/**
 * Ends the live stream of a live asset: `is_live` turns false, `video.asset.live_stream_completed`
 * fires, and its MP4s (if it has MP4 support) are made with their usual events.
 */
export function completeLiveStream(ops: AssetOps, assetId: string): FakeAsset | undefined {
  const record = ops.get(assetId);
  if (!record) return undefined;
  if (!record.live?.active) throw new SpecError(`asset ${assetId} is not a live stream that is still live`);
  if (record.status !== "ready") throw new SpecError(`asset ${assetId} is not ready yet`);
  record.live.active = false;
  const now = ops.now();
  emitAssetEvent(record, "video.asset.live_stream_completed", ops.emit, now);
  ops.lifecycle.scheduleRenditions(record, now);
  return restAssetView(record);
}
