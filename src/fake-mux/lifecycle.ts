/**
 * How an asset moves: preparing → ready (or errored) → MP4s ready, each step at a due time on
 * the fake's clock, each step emitting the webhooks Mux would send. The schedule is a plain
 * list that the fake runs when time has come (or all at once, for `settle`), so tests drive it
 * with a ManualClock and serve mode drives it with a ticker.
 *
 * Legacy `mp4_support` finishes all its files in one step (one aggregate event); the Static
 * Renditions API finishes one file per step, staggered, each with its own event. A live asset
 * makes no MP4s until its stream completes. Text tracks are created when the asset is ready
 * (`video.asset.track.created`) and become ready on their own step (`video.asset.track.ready`):
 * uploaded subtitles at once, generated captions `captionsAfterMs` later.
 */
import type { AssetEventType, RenditionEventType } from "../mux/events";
import type { AssetRecord, RenditionFile, TextTrack } from "./asset-record";
import { webhookAssetView, webhookRenditionView, webhookTrackView } from "./asset-view";
import { SortedQueue } from "./sorted-queue";
import type { RenditionOrder } from "./types";

/**
 * `renditions`: the legacy aggregate; `rendition`: one API file; `updated`: Mux's spontaneous
 * one; `track`: one text track ready.
 */
export type StepKind = "finish" | "renditions" | "rendition" | "updated" | "track";
export type TextTrackEvent =
  | "video.asset.track.created"
  | "video.asset.track.ready"
  | "video.asset.track.deleted";
type Step = { dueAt: number; seq: number; assetId: string; kind: StepKind; fileId?: string };

/** Emits one event; `at` is when it happened (the step's due time). */
export type Emit = (
  type: string,
  object: { type: string; id: string },
  data: Record<string, unknown>,
  at: number,
) => void;

export type LifecycleTiming = {
  renditionsAfterMs: number | null;
  renditionStaggerMs: number;
  renditionOrder: RenditionOrder;
  /** Whether a `video.asset.updated` with nothing changed follows `ready`, and how long after. */
  spontaneousUpdate: boolean;
  spontaneousUpdateAfterMs: number;
  /** How long after the asset generated captions take by default. */
  captionsAfterMs: number;
};

export function emitAssetEvent(record: AssetRecord, type: AssetEventType, emit: Emit, at: number): void {
  emit(type, { type: "asset", id: record.id }, webhookAssetView(record), at);
}

export function emitRenditionEvent(
  record: AssetRecord,
  file: RenditionFile,
  type: RenditionEventType,
  emit: Emit,
  at: number,
): void {
  emit(type, { type: "static_rendition", id: file.id ?? file.name }, webhookRenditionView(record, file), at);
}

export function emitTrackEvent(
  record: AssetRecord,
  track: TextTrack,
  type: TextTrackEvent,
  emit: Emit,
  at: number,
): void {
  const status = type === "video.asset.track.deleted" ? "deleted" : track.status;
  emit(type, { type: "track", id: track.id }, webhookTrackView(record, track, status), at);
}

/** The events of a newly created (preparing) asset. */
export function emitCreated(record: AssetRecord, emit: Emit, at: number): void {
  emitAssetEvent(record, "video.asset.created", emit, at);
  if (record.flavour.kind === "legacy" && record.flavour.status === "preparing") {
    emitAssetEvent(record, "video.asset.static_renditions.preparing", emit, at);
  }
  if (record.flavour.kind === "api") {
    for (const file of record.files)
      emitRenditionEvent(record, file, "video.asset.static_rendition.created", emit, at);
  }
}

export class Lifecycle {
  private readonly steps = new SortedQueue<Step>();
  private nextSeq = 1;

  constructor(
    private readonly lookup: (assetId: string) => AssetRecord | undefined,
    private readonly emit: Emit,
    private readonly timingOf: (record: AssetRecord) => LifecycleTiming,
  ) {}

  schedule(assetId: string, kind: StepKind, dueAt: number, fileId?: string): void {
    this.steps.push({ dueAt, seq: this.nextSeq++, assetId, kind, ...(fileId !== undefined && { fileId }) });
  }

  /** Forgets an asset's pending steps (only those of `kinds`, when given). */
  cancel(assetId: string, kinds?: readonly StepKind[]): void {
    this.steps.removeWhere((s) => s.assetId === assetId && (!kinds || kinds.includes(s.kind)));
  }

  clear(): void {
    this.steps.clear();
  }

  pendingCount(): number {
    return this.steps.length;
  }

  /** The earliest due time, for a ticker that wants to sleep until then. */
  nextDueAt(): number | null {
    return this.steps.peek()?.dueAt ?? null;
  }

  /** Runs every step due at `now`, including the ones those steps schedule. */
  runDue(now: number): void {
    for (let step = this.takeNext(now); step; step = this.takeNext(now)) this.run(step);
  }

  /** Runs every step, whatever its time (`settle`). */
  runAll(): void {
    this.runDue(Number.POSITIVE_INFINITY);
  }

  /**
   * Schedules the MP4s a ready (and no longer live) asset still waits for, counted from `at`:
   * the legacy aggregate after `renditionsAfterMs`; API files one by one from then on,
   * `renditionStaggerMs` apart, in `renditionOrder`.
   */
  scheduleRenditions(record: AssetRecord, at: number): void {
    if (record.status !== "ready" || record.live?.active) return;
    const { renditionsAfterMs, renditionStaggerMs, renditionOrder } = this.timingOf(record);
    if (renditionsAfterMs === null) return;
    const start = at + renditionsAfterMs;
    if (record.flavour.kind === "legacy") {
      if (record.flavour.status === "preparing") this.schedule(record.id, "renditions", start);
      return;
    }
    const waiting = record.files.filter((f) => f.status === "preparing" && f.outcome === "ready");
    // A stable sort: files of one size keep the order they were asked for in.
    if (renditionOrder === "smallest-first") waiting.sort((a, b) => a.filesize - b.filesize);
    waiting.forEach((file, i) => {
      this.schedule(record.id, "rendition", start + i * renditionStaggerMs, file.id);
    });
  }

  /**
   * One API file asked for on an asset that already exists: skipped at once when it would
   * upscale (as soon as the asset is ready), otherwise made on the usual timing, unless the
   * asset still prepares or streams (its finish or completion schedules it then).
   */
  scheduleAddedFile(record: AssetRecord, fileId: string, at: number): void {
    const file = record.files.find((f) => f.id === fileId);
    if (!file || record.status !== "ready") return;
    if (file.outcome === "skipped") {
      this.schedule(record.id, "rendition", at, fileId);
      return;
    }
    const { renditionsAfterMs } = this.timingOf(record);
    if (record.live?.active || renditionsAfterMs === null) return;
    this.schedule(record.id, "rendition", at + renditionsAfterMs, fileId);
  }

  /**
   * A text track of a ready asset on its way to ready, counted from `at`: `created` first (unless
   * `announce` is false: an asset that existed before the fake), then ready at once or on its own
   * step, or never (`readyAfterMs: null`).
   */
  startTextTrack(record: AssetRecord, track: TextTrack, at: number, announce = true): void {
    if (record.status !== "ready" || track.status !== "preparing") return;
    if (announce) emitTrackEvent(record, track, "video.asset.track.created", this.emit, at);
    const delay =
      track.readyAfterMs !== undefined
        ? track.readyAfterMs
        : track.textSource === "generated_vod"
          ? this.timingOf(record).captionsAfterMs
          : 0;
    if (delay === null) return;
    if (delay === 0) this.finishTrack(record, track.id, at);
    else this.schedule(record.id, "track", at + delay, track.id);
  }

  private takeNext(now: number): Step | undefined {
    const first = this.steps.peek();
    return first && first.dueAt <= now ? this.steps.takeFirst(() => true) : undefined;
  }

  private run(step: Step): void {
    const record = this.lookup(step.assetId);
    if (!record) return;
    if (step.kind === "finish") this.finish(record, step.dueAt);
    else if (step.kind === "renditions") this.finishLegacy(record, step.dueAt);
    else if (step.kind === "rendition") this.finishFile(record, step.fileId, step.dueAt);
    else if (step.kind === "track") this.finishTrack(record, step.fileId, step.dueAt);
    else emitAssetEvent(record, "video.asset.updated", this.emit, step.dueAt);
  }

  private finish(record: AssetRecord, at: number): void {
    if (record.status !== "preparing") return;
    if (record.outcome === "errored") {
      record.status = "errored";
      if (record.flavour.kind === "legacy" && record.flavour.status) record.flavour.status = "errored";
      for (const file of record.files) file.status = "errored";
      emitAssetEvent(record, "video.asset.errored", this.emit, at);
      return;
    }
    record.status = "ready";
    emitAssetEvent(record, "video.asset.ready", this.emit, at);
    // Skips are known as soon as the stored resolution is: before the other files are made.
    for (const file of record.files) {
      if (record.flavour.kind === "api" && file.outcome === "skipped" && file.status === "preparing") {
        file.status = "skipped";
        emitRenditionEvent(record, file, "video.asset.static_rendition.skipped", this.emit, at);
      }
    }
    for (const track of record.textTracks) this.startTextTrack(record, track, at);
    this.scheduleRenditions(record, at);
    const timing = this.timingOf(record);
    if (timing.spontaneousUpdate) this.schedule(record.id, "updated", at + timing.spontaneousUpdateAfterMs);
  }

  /** The legacy aggregate: every file at once, or, after `mp4_support: none`, none any more. */
  private finishLegacy(record: AssetRecord, at: number): void {
    const { flavour } = record;
    if (record.status !== "ready" || flavour.kind !== "legacy" || flavour.status !== "preparing") return;
    if (flavour.mp4Support === "none") {
      record.files = [];
      flavour.status = null;
      emitAssetEvent(record, "video.asset.static_renditions.deleted", this.emit, at);
      return;
    }
    const failed = record.files.length === 0;
    flavour.status = failed ? "errored" : "ready";
    for (const file of record.files) file.status = "ready";
    const type = failed ? "video.asset.static_renditions.errored" : "video.asset.static_renditions.ready";
    emitAssetEvent(record, type, this.emit, at);
  }

  private finishTrack(record: AssetRecord, trackId: string | undefined, at: number): void {
    const track = record.textTracks.find((t) => t.id === trackId);
    if (record.status !== "ready" || !track || track.status !== "preparing") return;
    track.status = "ready";
    emitTrackEvent(record, track, "video.asset.track.ready", this.emit, at);
  }

  private finishFile(record: AssetRecord, fileId: string | undefined, at: number): void {
    const file = record.files.find((f) => f.id === fileId);
    if (record.status !== "ready" || !file || file.status !== "preparing") return;
    const skipped = file.outcome === "skipped";
    file.status = skipped ? "skipped" : "ready";
    const type = skipped ? "video.asset.static_rendition.skipped" : "video.asset.static_rendition.ready";
    emitRenditionEvent(record, file, type, this.emit, at);
  }
}
