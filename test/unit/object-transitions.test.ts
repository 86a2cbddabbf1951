/**
 * The transition rule: what to write and what to tell the pipeline, given the stored object and
 * what a fresh evaluation says. The pipeline hears each change to the qualifying set and to each
 * member once; nothing it would not care about (messages, re-checks, duplicates) is written.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OBJECT_STATES, type ObjectReason, type ObjectState, SKIP_REASONS } from "../../src/db/schema";
import { decideChange, type StoredObject, type Target } from "../../src/sync/object-transitions";
import {
  LEGACY_ANNOUNCED_VIEW,
  type PipelineView,
  pipelineViewKey,
  type TextTrackView,
} from "../../src/sync/pipeline-view";
import {
  announced,
  CAPTION,
  DELIVERED,
  leaves,
  METADATA,
  PIPELINE,
  qualifies,
  stored,
  VIEW,
} from "../helpers/transition-fixtures";

describe("decideChange: joining the set", () => {
  it("announces a new qualifying asset as object.ready", () => {
    expect(decideChange(null, qualifies(), PIPELINE)).toEqual({
      write: true,
      state: "ready",
      reason: null,
      announce: { type: "object.ready", reason: null },
      download: false,
      keepStoredRendition: false,
    });
  });

  it("announces an object that comes back after it left as object.ready again", () => {
    const left = stored("skipped", { reason: "filtered", acknowledged: false });
    expect(announced(decideChange(left, qualifies(), PIPELINE))).toEqual({
      type: "object.ready",
      reason: null,
    });
  });

  it("writes ready without announcing when the bucket has no pipeline", () => {
    const plan = decideChange(null, qualifies(), { ...PIPELINE, pipeline: false });
    expect(plan).toMatchObject({ write: true, state: "ready", announce: null, download: false });
  });

  it("downloads first when storage is configured: the delivery follows the download", () => {
    const plan = decideChange(null, qualifies(), { ...PIPELINE, storage: true });
    expect(plan).toMatchObject({ write: true, state: "ready", announce: null, download: true });
  });
});

describe("decideChange: members that change", () => {
  it.each([
    ["metadata", { ...VIEW, metadata: { ...METADATA, title: "Dogs" } }],
    ["the chosen rendition", { ...VIEW, rendition: "medium.mp4" }],
    ["the playback id", { ...VIEW, playbackId: "pb2" }],
    ["the playback policy", { ...VIEW, playbackPolicy: "signed" }],
  ])("announces object.updated when %s changes", (_what, view) => {
    expect(announced(decideChange(DELIVERED, qualifies(view), PIPELINE))).toEqual({
      type: "object.updated",
      reason: null,
    });
  });

  it("coalesces: an update of a member the pipeline has not acknowledged yet goes out as object.ready", () => {
    const pending = stored("ready", { announcedView: pipelineViewKey(VIEW), acknowledged: false });
    const view = { ...VIEW, metadata: { ...METADATA, title: "Dogs" } };
    expect(
      announced(decideChange(pending, qualifies(view), { ...PIPELINE, latestDelivery: "pending" })),
    ).toEqual({
      type: "object.ready",
      reason: null,
    });
  });

  it("writes nothing when what the pipeline sees is unchanged, in ready or delivered", () => {
    expect(decideChange(DELIVERED, qualifies(), PIPELINE)).toEqual({ write: false });
    const pending = stored("ready", { announcedView: pipelineViewKey(VIEW) });
    expect(decideChange(pending, qualifies(), { ...PIPELINE, latestDelivery: "pending" })).toEqual({
      write: false,
    });
  });

  it("does not download the same file again while its download is under way (regression: per-file events)", () => {
    const downloading = stored("ready");
    expect(decideChange(downloading, qualifies(), { ...PIPELINE, storage: true })).toEqual({ write: false });
  });

  it("keeps a stored file when only the metadata changes, and downloads when the rendition does", () => {
    const file = {
      ...DELIVERED.rendition,
      name: "low.mp4",
      path: "/data/a/low.mp4",
    } as StoredObject["rendition"];
    const member = { ...DELIVERED, rendition: file };
    const storage = { ...PIPELINE, storage: true };
    expect(
      decideChange(member, qualifies({ ...VIEW, metadata: { ...METADATA, title: "x" } }), storage),
    ).toMatchObject({
      download: false,
      keepStoredRendition: true,
      announce: { type: "object.updated" },
    });
    expect(decideChange(member, qualifies({ ...VIEW, rendition: "medium.mp4" }), storage)).toMatchObject({
      download: true,
      announce: null,
    });
  });

  it("sends again after a delivery gave up, and only restores the state when one is on its way", () => {
    const failed = stored("failed", { reason: "delivery_failed", announcedView: pipelineViewKey(VIEW) });
    expect(announced(decideChange(failed, qualifies(), { ...PIPELINE, latestDelivery: "failed" }))).toEqual({
      type: "object.ready",
      reason: null,
    });
    expect(decideChange(failed, qualifies(), { ...PIPELINE, latestDelivery: "delivered" })).toMatchObject({
      write: true,
      state: "delivered",
      announce: null,
    });
  });

  it("treats a row announced before views were recorded as announced with its own view", () => {
    const legacy = stored("delivered", { announcedView: LEGACY_ANNOUNCED_VIEW, acknowledged: true });
    expect(decideChange(legacy, qualifies(), PIPELINE)).toEqual({ write: false });
    expect(announced(decideChange(legacy, leaves("skipped", "filtered"), PIPELINE))).toEqual({
      type: "object.deleted",
      reason: "filtered",
    });
  });
});

describe("decideChange: leaving the set", () => {
  it.each([
    ["deleted", "deleted_in_mux", "deleted_in_mux"],
    ["skipped", "filtered", "filtered"],
    ["skipped", "no_playback_id", "no_playback_id"],
    ["skipped", "drm_only", "no_playback_id"],
    ["skipped", "signed_without_key", "no_playback_id"],
    ["skipped", "no_static_renditions", "no_rendition"],
    ["waiting_for_rendition", null, "no_rendition"],
    ["skipped", "asset_errored", "no_rendition"],
  ] as const)(
    "announces object.deleted when a member becomes %s/%s, with reason %s",
    (state, reason, why) => {
      expect(decideChange(DELIVERED, leaves(state, reason), PIPELINE)).toMatchObject({
        write: true,
        state,
        reason,
        announce: { type: "object.deleted", reason: why },
      });
    },
  );

  it("announces the departure of an object whose object.ready may have been sent, not only of delivered ones", () => {
    const inFlight = stored("ready", { announcedView: pipelineViewKey(VIEW), acknowledged: false });
    expect(announced(decideChange(inFlight, leaves("deleted", "deleted_in_mux"), PIPELINE))).toEqual({
      type: "object.deleted",
      reason: "deleted_in_mux",
    });
  });

  it("announces nothing for an object the pipeline was never sent", () => {
    const waiting = stored("waiting_for_rendition");
    expect(decideChange(waiting, leaves("deleted", "deleted_in_mux"), PIPELINE)).toMatchObject({
      write: true,
      state: "deleted",
      announce: null,
    });
  });

  it("never writes again once deleted: Mux never reuses an asset id", () => {
    const deleted = stored("deleted", { reason: "deleted_in_mux" });
    expect(decideChange(deleted, qualifies(), PIPELINE)).toEqual({ write: false });
    expect(decideChange(deleted, leaves("deleted", "deleted_in_mux"), PIPELINE)).toEqual({ write: false });
  });

  it("ignores a re-check of a waiting or skipped object that changes nothing, and stores a metadata edit", () => {
    const skipped = stored("skipped", { reason: "filtered" });
    expect(decideChange(skipped, leaves("skipped", "filtered"), PIPELINE)).toEqual({ write: false });
    const edited = leaves("skipped", "filtered", { ...VIEW, metadata: { ...METADATA, title: "new" } });
    expect(decideChange(skipped, edited, PIPELINE)).toMatchObject({ write: true, announce: null });
  });
});

describe("decideChange invariants, over arbitrary objects and evaluations", () => {
  const view = fc.record({
    metadata: fc.constantFrom(METADATA, { ...METADATA, title: "other" }, null),
    rendition: fc.constantFrom("low.mp4", "medium.mp4", null),
    playbackId: fc.constantFrom("pb1", "pb2"),
    playbackPolicy: fc.constantFrom("public", "signed"),
    textTracks: fc.constantFrom<TextTrackView[]>([], [CAPTION], [{ ...CAPTION, name: "renamed" }]),
  });
  const current = fc.option(
    fc.record({
      state: fc.constantFrom(...OBJECT_STATES),
      reason: fc.constantFrom(null, ...SKIP_REASONS),
      view,
      announced: fc.constantFrom<"none" | "same" | "other" | "legacy">("none", "same", "other", "legacy"),
      acknowledged: fc.boolean(),
      path: fc.boolean(),
    }),
    { nil: null },
  );
  const target = fc.oneof(
    view.map((v): Target => ({ qualifies: true, view: v })),
    fc
      .record({
        state: fc.constantFrom<ObjectState>(
          "waiting_for_asset",
          "waiting_for_rendition",
          "skipped",
          "deleted",
        ),
        reason: fc.constantFrom(null, ...SKIP_REASONS),
        view,
      })
      .map((t): Target => ({ qualifies: false, ...t })),
  );
  const context = fc.record({
    pipeline: fc.boolean(),
    storage: fc.boolean(),
    latestDelivery: fc.constantFrom(
      null,
      "pending" as const,
      "delivered" as const,
      "failed" as const,
      "superseded" as const,
    ),
  });

  function toStored(c: {
    state: ObjectState;
    reason: ObjectReason | null;
    view: PipelineView;
    announced: "none" | "same" | "other" | "legacy";
    acknowledged: boolean;
    path: boolean;
  }): StoredObject {
    const key = pipelineViewKey(c.view);
    return {
      state: c.state,
      reason: c.reason,
      metadata: c.view.metadata,
      rendition: c.view.rendition
        ? {
            name: c.view.rendition,
            url: "u",
            width: null,
            height: null,
            bitrate: null,
            filesize: null,
            ...(c.path ? { path: "/p" } : {}),
          }
        : null,
      playbackId: c.view.playbackId,
      playbackPolicy: c.view.playbackPolicy,
      tracks: c.view.textTracks.map((t) => ({
        ...t,
        ...(c.path ? { path: "/v", transcript_path: "/t" } : {}),
      })),
      announcedView:
        c.announced === "none"
          ? null
          : c.announced === "legacy"
            ? LEGACY_ANNOUNCED_VIEW
            : c.announced === "same"
              ? key
              : '["other"]',
      acknowledged: c.acknowledged,
    };
  }

  it("never writes a deleted object, announces a departure only of an announced one, and only ever announces with a pipeline", () => {
    fc.assert(
      fc.property(current, target, context, (c, t, ctx) => {
        const row = c === null ? null : toStored(c);
        const plan = decideChange(row, t, ctx);
        if (row?.state === "deleted") expect(plan.write).toBe(false);
        if (!plan.write) return;
        const announcement = plan.announce;
        if (announcement?.type === "object.deleted") {
          expect(row?.announcedView ?? null).not.toBeNull();
          expect(t.qualifies).toBe(false);
        }
        if (!t.qualifies && row?.announcedView != null) expect(announcement?.type).toBe("object.deleted");
        if (announcement && announcement.type !== "object.deleted") {
          expect(ctx.pipeline).toBe(true);
          expect(t.qualifies).toBe(true);
          // object.updated only to a pipeline that acknowledged the object; object.ready otherwise.
          expect(announcement.type).toBe(row?.acknowledged ? "object.updated" : "object.ready");
        }
        if (plan.download) {
          expect(ctx.storage).toBe(true);
          expect(announcement).toBeNull();
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("is idempotent: deciding again on the written result writes nothing", () => {
    fc.assert(
      fc.property(current, target, context, (c, t, ctx) => {
        const row = c === null ? null : toStored(c);
        const plan = decideChange(row, t, ctx);
        if (!plan.write) return;
        const after: StoredObject = {
          state: plan.state,
          reason: plan.reason,
          metadata: t.view.metadata,
          rendition: t.view.rendition
            ? {
                name: t.view.rendition,
                url: "u",
                width: null,
                height: null,
                bitrate: null,
                filesize: null,
                // A download under way has no file yet; a kept one has its path.
                ...(plan.keepStoredRendition || (ctx.storage && !plan.download) ? { path: "/p" } : {}),
              }
            : null,
          playbackId: t.view.playbackId,
          playbackPolicy: t.view.playbackPolicy,
          // A download under way has stored no track file yet.
          tracks: t.view.textTracks.map((track) => ({
            ...track,
            ...(ctx.storage && !plan.download ? { path: "/v", transcript_path: "/t" } : {}),
          })),
          announcedView: plan.announce
            ? plan.announce.type === "object.deleted"
              ? null
              : pipelineViewKey(t.view)
            : (row?.announcedView ?? null),
          acknowledged: row?.acknowledged ?? false,
        };
        // The announcement is on its way (or none was needed).
        const next = { ...ctx, latestDelivery: plan.announce ? ("pending" as const) : ctx.latestDelivery };
        const again = decideChange(after, t, next);
        expect(again.write && again.announce !== null).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });
});
