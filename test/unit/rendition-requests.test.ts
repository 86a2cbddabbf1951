/**
 * The rule for MP4s made on demand (`sync/rendition-requests.ts`): which resolutions to ask Mux
 * for, what an asset waiting on a request is meanwhile, and that a rendition the service removed
 * itself keeps the object where it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RenditionRequestStatus } from "../../src/db/rendition-requests";
import { STATIC_RENDITION_RESOLUTIONS, type StaticRenditionResolution } from "../../src/mux/rendition-names";
import { type MuxAsset, muxAssetSchema } from "../../src/mux/schemas";
import type { Evaluation } from "../../src/sync/evaluate-asset";
import {
  decideRenditionRequests,
  keepRemovedRendition,
  NO_WRITE_PERMISSION_HELP,
  needsRequestRecords,
  type RequestContext,
  type RequestRecord,
} from "../../src/sync/rendition-requests";

const NOW = 1_750_000_000_000;
const GRACE = 3_600_000;

function asset(fields: Record<string, unknown> = {}): MuxAsset {
  return muxAssetSchema.parse({
    id: "asset-1",
    status: "ready",
    playback_ids: [{ id: "play-public", policy: "public" }],
    ...fields,
  });
}

function files(...list: Array<{ resolution: string; name: string; status: string }>) {
  return { static_renditions: { files: list.map((f, i) => ({ id: `sr${i}`, ext: "mp4", ...f })) } };
}

const WAITING: Evaluation = { state: "waiting_for_rendition", message: "no MP4 yet" };
const GAVE_UP: Evaluation = { state: "skipped", reason: "no_static_renditions", message: "none came" };

function record(resolution: string, status: RenditionRequestStatus, extra: Partial<RequestRecord> = {}) {
  return { resolution, status, message: null, answeredAt: NOW - 1000, removedAt: null, ...extra };
}

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return { wanted: ["highest"], records: [], canWrite: null, now: NOW, graceMs: GRACE, ...overrides };
}

describe("decideRenditionRequests: asking", () => {
  it("asks for every wanted resolution of a ready asset without MP4s, and waits for it (rendition_requested)", () => {
    const decision = decideRenditionRequests(
      asset(),
      WAITING,
      context({ wanted: ["highest", "audio-only"] }),
    );
    expect(decision.ask).toEqual(["highest", "audio-only"]);
    expect(decision.evaluation).toMatchObject({
      state: "waiting_for_rendition",
      reason: "rendition_requested",
      message: expect.stringContaining("Asked Mux for static renditions highest, audio-only"),
    });
  });

  it("asks also for an asset that gave up waiting (no_static_renditions after the grace period)", () => {
    expect(decideRenditionRequests(asset(), GAVE_UP, context()).ask).toEqual(["highest"]);
  });

  it("changes nothing without create_renditions, or for an asset that is not stuck without an MP4", () => {
    expect(decideRenditionRequests(asset(), WAITING, context({ wanted: [] }))).toEqual({
      evaluation: WAITING,
      ask: [],
    });
    const others: Evaluation[] = [
      { state: "waiting_for_asset", message: "preparing" },
      { state: "skipped", reason: "drm_only", message: "drm" },
      { state: "skipped", reason: "filtered", message: "filtered" },
      {
        state: "ready",
        playback: { id: "p", policy: "public" },
        candidates: [{ name: "low.mp4", width: null, height: null, bitrate: null, filesize: null }],
      },
      { state: "probe", playback: { id: "p", policy: "public" }, names: ["low.mp4"] },
    ];
    for (const evaluation of others)
      expect(decideRenditionRequests(asset(), evaluation, context())).toEqual({ evaluation, ask: [] });
  });

  it("never asks on an asset with legacy mp4_support on (Mux refuses static renditions there)", () => {
    const legacy = asset({ mp4_support: "capped-1080p", static_renditions: { status: "preparing" } });
    expect(decideRenditionRequests(legacy, WAITING, context()).ask).toEqual([]);
    expect(decideRenditionRequests(asset({ mp4_support: "none" }), WAITING, context()).ask).toEqual([
      "highest",
    ]);
  });

  it("waits for a wanted file Mux makes on its own, and asks for nothing else meanwhile", () => {
    const making = asset(files({ resolution: "highest", name: "highest.mp4", status: "preparing" }));
    const decision = decideRenditionRequests(making, WAITING, context({ wanted: ["highest", "audio-only"] }));
    expect(decision).toEqual({ evaluation: WAITING, ask: [] });
  });

  it("waits as usual while Mux makes a file nobody here asked for (it may be the usable one)", () => {
    const making = asset(files({ resolution: "720p", name: "720p.mp4", status: "preparing" }));
    expect(decideRenditionRequests(making, WAITING, context())).toEqual({ evaluation: WAITING, ask: [] });
  });

  it("asks for nothing else while a file it asked for is being made", () => {
    const making = asset(files({ resolution: "highest", name: "highest.mp4", status: "preparing" }));
    const decision = decideRenditionRequests(
      making,
      WAITING,
      context({ wanted: ["highest", "audio-only"], records: [record("highest", "created")] }),
    );
    expect(decision.ask).toEqual([]);
    expect(decision.evaluation).toMatchObject({
      state: "waiting_for_rendition",
      reason: "rendition_requested",
    });
  });
});

describe("decideRenditionRequests: once per asset and resolution", () => {
  it("does not ask again while a request waits for Mux's answer, however long it is queued", () => {
    const queued = record("highest", "requested", { answeredAt: null });
    const decision = decideRenditionRequests(
      asset(),
      WAITING,
      context({ records: [queued], now: NOW + 100 * GRACE }),
    );
    expect(decision.ask).toEqual([]);
    expect(decision.evaluation).toMatchObject({
      state: "waiting_for_rendition",
      reason: "rendition_requested",
      message: expect.stringContaining("highest (asked, Mux has not answered yet)"),
    });
  });

  it("does not ask again for a resolution Mux answered, whatever the answer", () => {
    for (const status of ["created", "existing", "rejected"] as const) {
      expect(
        decideRenditionRequests(asset(), WAITING, context({ records: [record("highest", status)] })).ask,
      ).toEqual([]);
    }
  });

  it("asks again after a 403 only once the connection may write", () => {
    const refused = [record("highest", "refused", { message: "403" })];
    expect(
      decideRenditionRequests(asset(), WAITING, context({ records: refused, canWrite: null })).ask,
    ).toEqual(["highest"]);
    expect(
      decideRenditionRequests(asset(), WAITING, context({ records: refused, canWrite: true })).ask,
    ).toEqual(["highest"]);
    const readOnly = decideRenditionRequests(
      asset(),
      WAITING,
      context({ records: refused, canWrite: false }),
    );
    expect(readOnly.ask).toEqual([]);
    expect(readOnly.evaluation).toMatchObject({ state: "skipped", reason: "no_write_permission" });
  });

  it("the property: it asks only for wanted resolutions with no file on Mux and no request but a 403 to retry", () => {
    const resolution = fc.constantFrom(...STATIC_RENDITION_RESOLUTIONS);
    const status = fc.constantFrom<RenditionRequestStatus>(
      "requested",
      "created",
      "existing",
      "refused",
      "rejected",
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(resolution, { maxLength: 4 }),
        fc.array(
          fc.record({ resolution, status: fc.constantFrom("ready", "preparing", "skipped", "errored") }),
          {
            maxLength: 4,
          },
        ),
        fc.array(fc.record({ resolution, status }), { maxLength: 4 }),
        fc.constantFrom(true, false, null),
        fc.integer({ min: 0, max: 3 * GRACE }),
        (wanted, listed, requests, canWrite, later) => {
          const a = asset(
            files(
              ...listed.map((f) => ({
                ...f,
                name: `${f.resolution === "audio-only" ? "audio" : f.resolution}.mp4`,
              })),
            ),
          );
          const records = requests.map((r) => record(r.resolution, r.status));
          const { ask, evaluation } = decideRenditionRequests(
            a,
            WAITING,
            context({ wanted, records, canWrite, now: NOW + later }),
          );
          for (const r of ask) {
            expect(wanted).toContain(r);
            expect(listed.some((f) => f.resolution === r)).toBe(false);
            const previous = records.find((x) => x.resolution === r);
            expect(previous === undefined || previous.status === "refused").toBe(true);
          }
          if (canWrite === false) expect(ask).toEqual([]);
          if (ask.length > 0) expect(evaluation).toMatchObject({ reason: "rendition_requested" });
        },
      ),
    );
  });
});

describe("decideRenditionRequests: waiting, and the answers", () => {
  it("skips an asset no_write_permission, with the message, when the token is known to be read-only", () => {
    const decision = decideRenditionRequests(asset(), WAITING, context({ canWrite: false }));
    expect(decision.ask).toEqual([]);
    expect(decision.evaluation).toEqual({
      state: "skipped",
      reason: "no_write_permission",
      message: `The asset has no MP4 and create_renditions asks for highest, but ${NO_WRITE_PERMISSION_HELP}`,
    });
    expect(NO_WRITE_PERMISSION_HELP).toBe(
      "the access token is read-only: give it Mux Video Read and Write, or enable MP4 support on the asset",
    );
  });

  it("skips at once (no_static_renditions) when Mux skipped every rendition asked for, saying so", () => {
    const upscale = asset(files({ resolution: "2160p", name: "2160p.mp4", status: "skipped" }));
    const decision = decideRenditionRequests(
      upscale,
      WAITING,
      context({ wanted: ["2160p"], records: [record("2160p", "created")] }),
    );
    expect(decision.evaluation).toMatchObject({
      state: "skipped",
      reason: "no_static_renditions",
      message: expect.stringContaining("Mux skipped 2160p.mp4 (it would upscale the asset"),
    });
  });

  it("keeps the usual wait when Mux skipped a wanted rendition nobody here asked for", () => {
    const skipped = asset(files({ resolution: "highest", name: "highest.mp4", status: "skipped" }));
    expect(decideRenditionRequests(skipped, WAITING, context())).toEqual({ evaluation: WAITING, ask: [] });
  });

  it("says what Mux refused, and gives up on a rendition Mux accepted but did not make within the grace period", () => {
    const refused = decideRenditionRequests(
      asset(),
      WAITING,
      context({
        records: [record("highest", "rejected", { message: "Mux answered 400: mp4_support is on" })],
      }),
    );
    expect(refused.evaluation).toMatchObject({
      state: "skipped",
      reason: "no_static_renditions",
      message: expect.stringContaining("Mux refused the request: Mux answered 400: mp4_support is on"),
    });
    const slow = asset(files({ resolution: "highest", name: "highest.mp4", status: "preparing" }));
    const accepted = [record("highest", "created", { answeredAt: NOW })];
    expect(
      decideRenditionRequests(slow, WAITING, context({ records: accepted, now: NOW + GRACE - 1 })).evaluation,
    ).toMatchObject({
      reason: "rendition_requested",
    });
    expect(
      decideRenditionRequests(slow, WAITING, context({ records: accepted, now: NOW + GRACE })).evaluation,
    ).toMatchObject({
      state: "skipped",
      reason: "no_static_renditions",
      message: expect.stringContaining("did not make the file within 3600 s"),
    });
  });
});

describe("keepRemovedRendition: a removal the service made itself changes nothing for the pipeline", () => {
  const stored = {
    name: "highest.mp4",
    url: "https://stream.mux.com/play-public/highest.mp4",
    width: 1920,
    height: 1080,
    bitrate: 5_000_000,
    filesize: 1234,
    path: "bkt/asset-1/highest.mp4",
  };
  const removed = [record("highest", "created", { removedAt: NOW })];

  it("keeps the stored file as the object's rendition once the service removed Mux's copy", () => {
    expect(keepRemovedRendition(asset(), WAITING, stored, removed)).toEqual({
      state: "ready",
      playback: { id: "play-public", policy: "public" },
      candidates: [{ name: "highest.mp4", width: 1920, height: 1080, bitrate: 5_000_000, filesize: 1234 }],
    });
    expect(keepRemovedRendition(asset(), GAVE_UP, stored, removed).state).toBe("ready");
  });

  it("does not cover a rendition deleted by someone else, a file not stored, or a gate that fails", () => {
    const notRemoved = [record("highest", "created")];
    expect(keepRemovedRendition(asset(), WAITING, stored, notRemoved)).toBe(WAITING);
    expect(keepRemovedRendition(asset(), WAITING, { ...stored, path: undefined }, removed)).toBe(WAITING);
    expect(keepRemovedRendition(asset(), WAITING, { ...stored, name: "720p.mp4" }, removed)).toBe(WAITING);
    const drm: Evaluation = { state: "skipped", reason: "drm_only", message: "drm" };
    expect(keepRemovedRendition(asset(), drm, stored, removed)).toBe(drm);
  });

  it("leaves an asset Mux lists a usable file for (a person's new rendition) to the usual judgement", () => {
    const ready: Evaluation = {
      state: "ready",
      playback: { id: "play-public", policy: "public" },
      candidates: [{ name: "720p.mp4", width: 1280, height: 720, bitrate: 1, filesize: 1 }],
    };
    expect(keepRemovedRendition(asset(), ready, stored, removed)).toBe(ready);
  });
});

describe("needsRequestRecords: nothing more is read when nothing depends on it", () => {
  it("reads for a stuck asset of a sync that asks, or an object with a stored file that lost its MP4", () => {
    const wanted: StaticRenditionResolution[] = ["highest"];
    expect(needsRequestRecords(WAITING, wanted, null)).toBe(true);
    expect(needsRequestRecords(WAITING, [], null)).toBe(false);
    expect(needsRequestRecords({ state: "waiting_for_asset", message: "" }, wanted, null)).toBe(false);
    const stored = {
      name: "highest.mp4",
      url: "u",
      width: null,
      height: null,
      bitrate: null,
      filesize: null,
      path: "p",
    };
    expect(needsRequestRecords(WAITING, [], stored)).toBe(true);
  });
});
