/**
 * How an asset moves: preparing → ready (or errored) → MP4s ready, each step at a due time on
 * the fake's clock, each step emitting the webhooks Mux would send. The schedule is a plain
 * list that the fake runs when time has come (or all at once, for `settle`), so tests drive it
 * with a ManualClock and serve mode drives it with a ticker.
 */
import type { AssetEventType, RenditionEventType } from "../mux/events";
import type { AssetRecord, RenditionFile } from "./asset-record";
import { webhookAssetView, webhookRenditionView } from "./asset-view";
import { SortedQueue } from "./sorted-queue";

export type StepKind = "finish" | "renditions";
type Step = { dueAt: number; seq: number; assetId: string; kind: StepKind };

/** Emits one event; `at` is when it happened (the step's due time). */
export type Emit = (
  type: string,
  object: { type: string; id: string },
  data: Record<string, unknown>,
  at: number,
) => void;

export type LifecycleTiming = { renditionsAfterMs: number | null };

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

  schedule(assetId: string, kind: StepKind, dueAt: number): void {
    this.steps.push({ dueAt, seq: this.nextSeq++, assetId, kind });
  }

  cancel(assetId: string): void {
    this.steps.removeWhere((s) => s.assetId === assetId);
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

  private takeNext(now: number): Step | undefined {
    const first = this.steps.peek();
    return first && first.dueAt <= now ? this.steps.takeFirst(() => true) : undefined;
  }

  private run(step: Step): void {
    const record = this.lookup(step.assetId);
    if (!record) return;
    if (step.kind === "finish") this.finish(record, step.dueAt);
    else this.finishRenditions(record, step.dueAt);
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
      if (record.flavour.kind === "api" && file.outcome === "skipped") {
        file.status = "skipped";
        emitRenditionEvent(record, file, "video.asset.static_rendition.skipped", this.emit, at);
      }
    }
    const { renditionsAfterMs } = this.timingOf(record);
    if (renditionsAfterMs !== null && this.hasRenditionsToMake(record)) {
      this.schedule(record.id, "renditions", at + renditionsAfterMs);
    }
  }

  private hasRenditionsToMake(record: AssetRecord): boolean {
    if (record.flavour.kind === "legacy") return record.flavour.status === "preparing";
    return record.files.some((f) => f.status === "preparing");
  }

  private finishRenditions(record: AssetRecord, at: number): void {
    if (record.status !== "ready") return;
    const { flavour } = record;
    if (flavour.kind === "legacy" && flavour.status === "preparing") {
      const failed = record.files.length === 0;
      flavour.status = failed ? "errored" : "ready";
      for (const file of record.files) file.status = "ready";
      const type = failed ? "video.asset.static_renditions.errored" : "video.asset.static_renditions.ready";
      emitAssetEvent(record, type, this.emit, at);
      return;
    }
    for (const file of record.files) {
      if (file.status !== "preparing") continue;
      file.status = file.outcome === "skipped" ? "skipped" : "ready";
      const type = file.status === "ready" ? "ready" : "skipped";
      emitRenditionEvent(record, file, `video.asset.static_rendition.${type}`, this.emit, at);
    }
  }
}
