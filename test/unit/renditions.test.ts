import { describe, expect, it } from "vitest";
import {
  choosePlayback,
  DEFAULT_RENDITION_PREFERENCE,
  planRenditions,
  RENDITION_MESSAGES,
  type RenditionPlan,
} from "../../src/mux/renditions";
import { type MuxAsset, muxAssetSchema } from "../../src/mux/schemas";

/**
 * Goes through the real schema, so Mux's quirks (string sizes, bare arrays) are normalised as in
 * production. `created_at` is always given: the schema currently rejects an asset without it.
 */
function asset(fields: Record<string, unknown> = {}): MuxAsset {
  return muxAssetSchema.parse({
    id: "asset-1",
    status: "ready",
    created_at: "1700000000",
    playback_ids: [{ id: "play-1", policy: "public" }],
    ...fields,
  });
}

const videoTracks = [{ type: "video" }, { type: "audio" }];

/** Legacy `mp4_support` files: no status, no id. Sizes from a real 2020 payload (mux-facts §3.1). */
const legacyLow = {
  name: "low.mp4",
  ext: "mp4",
  width: 576,
  height: 360,
  bitrate: 233600,
  filesize: 1284970,
};
const legacyMedium = {
  name: "medium.mp4",
  ext: "mp4",
  width: 640,
  height: 400,
  bitrate: 221848,
  filesize: 1220345,
};
const legacyHigh = {
  name: "high.mp4",
  ext: "mp4",
  width: 1280,
  height: 720,
  bitrate: 2_000_000,
  filesize: 9_000_000,
};
const legacyCapped = {
  name: "capped-1080p.mp4",
  ext: "mp4",
  width: 1920,
  height: 1080,
  bitrate: 5e6,
  filesize: 2e7,
};
const legacyAudio = { name: "audio.m4a", ext: "m4a", bitrate: 128_000, filesize: 300_000 };

/** A Static Renditions API file; `ready` ones carry their dimensions, others do not. */
function apiFile(name: string, status: string, height?: number) {
  const base = {
    id: `sr-${name}`,
    name,
    ext: name.endsWith(".m4a") ? "m4a" : "mp4",
    status,
    type: "advanced",
  };
  if (status !== "ready") return base;
  const h = height ?? 0;
  return { ...base, height: h, width: Math.round((h * 16) / 9), bitrate: h * 5000, filesize: h * 100_000 };
}

function names(plan: RenditionPlan): string[] | RenditionPlan {
  return plan.kind === "ready" ? plan.candidates.map((candidate) => candidate.name) : plan;
}

type Case = {
  name: string;
  asset: MuxAsset;
  preference?: readonly string[] | null;
  expected: string[] | RenditionPlan;
};

const legacyCases: Case[] = [
  {
    name: "legacy standard: low, medium and high in the default order",
    asset: asset({
      mp4_support: "standard",
      tracks: videoTracks,
      static_renditions: { status: "ready", files: [legacyHigh, legacyMedium, legacyLow] },
    }),
    expected: ["low.mp4", "medium.mp4", "high.mp4"],
  },
  {
    name: "legacy standard without high.mp4 (source below the threshold)",
    asset: asset({
      mp4_support: "standard",
      static_renditions: { status: "ready", files: [legacyLow, legacyMedium] },
    }),
    expected: ["low.mp4", "medium.mp4"],
  },
  {
    name: "legacy capped-1080p",
    asset: asset({
      mp4_support: "capped-1080p",
      static_renditions: { status: "ready", files: [legacyCapped] },
    }),
    expected: ["capped-1080p.mp4"],
  },
  {
    name: "legacy audio-only,capped-1080p on a video asset: audio is not taken unasked",
    asset: asset({
      mp4_support: "audio-only,capped-1080p",
      resolution_tier: "1080p",
      static_renditions: { status: "ready", files: [legacyAudio, legacyCapped] },
    }),
    expected: ["capped-1080p.mp4"],
  },
  {
    name: "legacy preparing: waits",
    asset: asset({ mp4_support: "standard", static_renditions: { status: "preparing" } }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "legacy preparing with files still listed from before: the aggregate wins, waits",
    asset: asset({
      mp4_support: "capped-1080p",
      static_renditions: { status: "preparing", files: [legacyLow] },
    }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "legacy ready with no file list: probe the legacy names, preference first",
    asset: asset({ mp4_support: "standard", static_renditions: { status: "ready" } }),
    expected: { kind: "probe", names: ["low.mp4", "medium.mp4", "high.mp4", "capped-1080p.mp4"] },
  },
  {
    name: "legacy ready with an empty file list: probe",
    asset: asset({ mp4_support: "capped-1080p", static_renditions: { status: "ready", files: [] } }),
    expected: { kind: "probe", names: ["low.mp4", "medium.mp4", "high.mp4", "capped-1080p.mp4"] },
  },
  {
    name: "mp4_support set but static_renditions absent (partial payload): probe",
    asset: asset({ mp4_support: "standard" }),
    expected: { kind: "probe", names: ["low.mp4", "medium.mp4", "high.mp4", "capped-1080p.mp4"] },
  },
  {
    name: "aggregate ready with no file list and no mp4_support: probe legacy names and highest",
    asset: asset({ static_renditions: { status: "ready" } }),
    expected: {
      kind: "probe",
      names: ["low.mp4", "medium.mp4", "high.mp4", "highest.mp4", "capped-1080p.mp4"],
    },
  },
  {
    name: "legacy probe with a custom preference: names the flavour cannot make are not probed",
    asset: asset({ mp4_support: "standard", static_renditions: { status: "ready" } }),
    preference: ["720p.mp4", "high.mp4", "audio.m4a"],
    expected: {
      kind: "probe",
      names: ["high.mp4", "audio.m4a", "low.mp4", "medium.mp4", "capped-1080p.mp4"],
    },
  },
  {
    name: "legacy errored",
    asset: asset({ mp4_support: "standard", static_renditions: { status: "errored" } }),
    expected: { kind: "none", message: RENDITION_MESSAGES.legacyErrored },
  },
  {
    name: "legacy errored with files listed: none are used",
    asset: asset({ mp4_support: "standard", static_renditions: { status: "errored", files: [legacyLow] } }),
    expected: { kind: "none", message: RENDITION_MESSAGES.legacyErrored },
  },
  {
    name: "legacy disabled",
    asset: asset({ mp4_support: "none", static_renditions: { status: "disabled" } }),
    expected: { kind: "none", message: RENDITION_MESSAGES.noStaticRenditions },
  },
  {
    name: "no MP4 requested at all",
    asset: asset({}),
    expected: { kind: "none", message: RENDITION_MESSAGES.noStaticRenditions },
  },
  {
    name: 'mp4_support "none" and no static renditions',
    asset: asset({ mp4_support: "none" }),
    expected: { kind: "none", message: RENDITION_MESSAGES.noStaticRenditions },
  },
];

const audioOnlyCases: Case[] = [
  {
    name: "legacy audio-only asset (resolution_tier audio-only): audio.m4a",
    asset: asset({
      mp4_support: "standard",
      resolution_tier: "audio-only",
      static_renditions: { status: "ready", files: [legacyAudio] },
    }),
    expected: ["audio.m4a"],
  },
  {
    name: "audio-only asset known from its tracks",
    asset: asset({
      tracks: [{ type: "audio" }],
      static_renditions: { status: "ready", files: [legacyAudio] },
    }),
    expected: ["audio.m4a"],
  },
  {
    name: "audio-only asset known only because the sole file is audio",
    asset: asset({ static_renditions: { status: "ready", files: [legacyAudio] } }),
    expected: ["audio.m4a"],
  },
  {
    name: "new API audio-only asset: highest skipped, audio ready",
    asset: asset({
      resolution_tier: "audio-only",
      static_renditions: { files: [apiFile("highest.mp4", "skipped"), apiFile("audio.m4a", "ready")] },
    }),
    expected: ["audio.m4a"],
  },
  {
    name: "audio-only asset, audio still preparing: waits",
    asset: asset({
      resolution_tier: "audio-only",
      static_renditions: { files: [apiFile("audio.m4a", "preparing")] },
    }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "audio-only legacy asset with no file list: probe audio.m4a only",
    asset: asset({
      mp4_support: "standard",
      resolution_tier: "audio-only",
      static_renditions: { status: "ready" },
    }),
    expected: { kind: "probe", names: ["audio.m4a"] },
  },
  {
    name: "video asset whose only ready file is audio: none, and the message says how to accept audio",
    asset: asset({
      resolution_tier: "1080p",
      static_renditions: { files: [apiFile("highest.mp4", "errored"), apiFile("audio.m4a", "ready")] },
    }),
    expected: {
      kind: "none",
      message: expect.stringContaining(
        'add "audio.m4a" to the sync\'s rendition_preference',
      ) as unknown as string,
    },
  },
  {
    name: "video asset, audio asked for explicitly: audio first, video as fallback",
    asset: asset({
      resolution_tier: "1080p",
      static_renditions: { files: [apiFile("highest.mp4", "ready", 1080), apiFile("audio.m4a", "ready")] },
    }),
    preference: ["audio.m4a"],
    expected: ["audio.m4a", "highest.mp4"],
  },
];

const staticRenditionsApiCases: Case[] = [
  {
    name: "new API: highest (preferred) then the rest smallest first",
    asset: asset({
      static_renditions: {
        files: [
          apiFile("720p.mp4", "ready", 720),
          apiFile("highest.mp4", "ready", 1080),
          apiFile("270p.mp4", "ready", 270),
        ],
      },
    }),
    expected: ["highest.mp4", "270p.mp4", "720p.mp4"],
  },
  {
    name: "new API: skipped and errored files are never chosen",
    asset: asset({
      static_renditions: {
        files: [
          apiFile("2160p.mp4", "skipped"),
          apiFile("1080p.mp4", "errored"),
          apiFile("720p.mp4", "ready", 720),
        ],
      },
    }),
    expected: ["720p.mp4"],
  },
  {
    name: "new API: every file skipped or errored → none, listing them",
    asset: asset({
      static_renditions: { files: [apiFile("2160p.mp4", "skipped"), apiFile("1080p.mp4", "errored")] },
    }),
    expected: {
      kind: "none",
      message: expect.stringContaining("2160p.mp4 (skipped), 1080p.mp4 (errored)") as unknown as string,
    },
  },
  {
    name: "new API: only preparing files → pending",
    asset: asset({ static_renditions: { files: [apiFile("highest.mp4", "preparing")] } }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "new API: preparing and errored → pending (the preparing one may still come)",
    asset: asset({
      static_renditions: { files: [apiFile("highest.mp4", "errored"), apiFile("720p.mp4", "preparing")] },
    }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "new API: mixed ready and preparing → ready with the ready ones only",
    asset: asset({
      static_renditions: { files: [apiFile("highest.mp4", "preparing"), apiFile("480p.mp4", "ready", 480)] },
    }),
    expected: ["480p.mp4"],
  },
  {
    name: "new API: the aggregate status is ignored (aggregate preparing, file ready)",
    asset: asset({
      static_renditions: { status: "preparing", files: [apiFile("highest.mp4", "ready", 1080)] },
    }),
    expected: ["highest.mp4"],
  },
  {
    name: "new API: the aggregate status is ignored (aggregate ready, file preparing)",
    asset: asset({ static_renditions: { status: "ready", files: [apiFile("highest.mp4", "preparing")] } }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "a status Mux may add later is read as waiting, not as never",
    asset: asset({ static_renditions: { files: [apiFile("highest.mp4", "regenerating")] } }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.preparing },
  },
  {
    name: "audio preparing on a video asset does not make it pending",
    asset: asset({
      resolution_tier: "720p",
      static_renditions: { files: [apiFile("highest.mp4", "skipped"), apiFile("audio.m4a", "preparing")] },
    }),
    expected: {
      kind: "none",
      message: expect.stringContaining("No usable static rendition") as unknown as string,
    },
  },
  {
    name: "the bare-array form of static_renditions",
    asset: asset({
      static_renditions: [apiFile("highest.mp4", "ready", 1080), apiFile("audio.m4a", "ready")],
    }),
    expected: ["highest.mp4"],
  },
  {
    name: "a bare array of files without any status is taken as ready",
    asset: asset({ static_renditions: [legacyMedium, legacyLow] }),
    expected: ["low.mp4", "medium.mp4"],
  },
];

const orderingCases: Case[] = [
  {
    name: "the remainder goes smallest to largest, whatever order Mux lists it in",
    asset: asset({
      static_renditions: {
        files: [1080, 270, 2160, 540, 720, 360, 480, 1440].map((h) => apiFile(`${h}p.mp4`, "ready", h)),
      },
    }),
    expected: [
      "270p.mp4",
      "360p.mp4",
      "480p.mp4",
      "540p.mp4",
      "720p.mp4",
      "1080p.mp4",
      "1440p.mp4",
      "2160p.mp4",
    ],
  },
  {
    name: "files without dimensions order by the size their name implies",
    asset: asset({
      static_renditions: {
        files: [
          { name: "720p.mp4", status: "ready" },
          { name: "270p.mp4", status: "ready" },
          { name: "highest.mp4", status: "ready" },
        ],
      },
    }),
    preference: ["540p.mp4"],
    expected: ["270p.mp4", "720p.mp4", "highest.mp4"],
  },
  {
    name: "equal heights order by file size",
    asset: asset({
      static_renditions: {
        status: "ready",
        files: [
          { name: "high.mp4", height: 720, filesize: 900 },
          { name: "720p.mp4", height: 720, filesize: 300 },
        ],
      },
    }),
    preference: ["highest.mp4"],
    expected: ["720p.mp4", "high.mp4"],
  },
  {
    name: "custom preference replaces the head; the rest follow smallest first",
    asset: asset({
      static_renditions: {
        files: [
          apiFile("270p.mp4", "ready", 270),
          apiFile("1080p.mp4", "ready", 1080),
          apiFile("720p.mp4", "ready", 720),
        ],
      },
    }),
    preference: ["720p.mp4"],
    expected: ["720p.mp4", "270p.mp4", "1080p.mp4"],
  },
  {
    name: "custom preference naming absent files: they are skipped",
    asset: asset({
      static_renditions: { files: [apiFile("270p.mp4", "ready", 270), apiFile("720p.mp4", "ready", 720)] },
    }),
    preference: ["2160p.mp4", "1080p.mp4", "720p.mp4"],
    expected: ["720p.mp4", "270p.mp4"],
  },
  {
    name: "legacy with a custom preference: high first, then smallest first",
    asset: asset({ static_renditions: { status: "ready", files: [legacyLow, legacyMedium, legacyHigh] } }),
    preference: ["high.mp4"],
    expected: ["high.mp4", "low.mp4", "medium.mp4"],
  },
  {
    name: "preference given as short names is normalised",
    asset: asset({ static_renditions: { status: "ready", files: [legacyLow, legacyHigh] } }),
    preference: ["high", "low"],
    expected: ["high.mp4", "low.mp4"],
  },
  {
    name: "an empty preference means the default",
    asset: asset({ static_renditions: { status: "ready", files: [legacyHigh, legacyLow] } }),
    preference: [],
    expected: ["low.mp4", "high.mp4"],
  },
  {
    name: "a null preference means the default",
    asset: asset({ static_renditions: { status: "ready", files: [legacyHigh, legacyLow] } }),
    preference: null,
    expected: ["low.mp4", "high.mp4"],
  },
];

const unreadyAssetCases: Case[] = [
  {
    name: "asset still preparing",
    asset: asset({ status: "preparing", static_renditions: { status: "ready", files: [legacyLow] } }),
    expected: { kind: "pending", message: RENDITION_MESSAGES.assetPreparing },
  },
  {
    name: "asset errored",
    asset: asset({ status: "errored" }),
    expected: { kind: "none", message: RENDITION_MESSAGES.assetErrored },
  },
  {
    name: "asset without a status (partial webhook): judged by its files",
    asset: asset({ status: null, static_renditions: { status: "ready", files: [legacyLow] } }),
    expected: ["low.mp4"],
  },
];

describe("planRenditions", () => {
  describe.each([
    ["legacy mp4_support", legacyCases],
    ["audio-only", audioOnlyCases],
    ["Static Renditions API", staticRenditionsApiCases],
    ["ordering and preference", orderingCases],
    ["asset not ready", unreadyAssetCases],
  ])("%s", (_group, cases) => {
    it.each(cases)("$name", ({ asset: input, preference, expected }) => {
      expect(names(planRenditions(input, preference))).toEqual(expected);
    });
  });

  it("the default preference is low, medium, high, highest", () => {
    expect(DEFAULT_RENDITION_PREFERENCE).toEqual(["low.mp4", "medium.mp4", "high.mp4", "highest.mp4"]);
  });

  it("candidates carry the file's numbers, from strings too, and null when Mux sent none", () => {
    const plan = planRenditions(
      asset({
        static_renditions: {
          status: "ready",
          files: [
            { name: "low.mp4", width: "576", height: 360, bitrate: 233600, filesize: "1284970" },
            { name: "medium.mp4" },
          ],
        },
      }),
    );
    expect(plan).toEqual({
      kind: "ready",
      candidates: [
        { name: "low.mp4", width: 576, height: 360, bitrate: 233600, filesize: 1284970 },
        { name: "medium.mp4", width: null, height: null, bitrate: null, filesize: null },
      ],
    });
  });

  it("does not depend on the order of the input and does not change it", () => {
    const files = [legacyHigh, legacyLow, legacyMedium];
    const input = asset({ static_renditions: { status: "ready", files } });
    const before = JSON.stringify(input);
    const first = planRenditions(input);
    const reversed = planRenditions(
      asset({ static_renditions: { status: "ready", files: [...files].reverse() } }),
    );
    expect(first).toEqual(reversed);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe("choosePlayback", () => {
  const withIds = (ids: Array<{ id: string; policy: string }> | null) => asset({ playback_ids: ids });

  it.each([
    {
      name: "public",
      ids: [{ id: "pub", policy: "public" }],
      expected: { kind: "ok", id: "pub", policy: "public" },
    },
    {
      name: "signed",
      ids: [{ id: "sig", policy: "signed" }],
      expected: { kind: "ok", id: "sig", policy: "signed" },
    },
    {
      name: "public preferred over signed, whatever the order",
      ids: [
        { id: "sig", policy: "signed" },
        { id: "pub", policy: "public" },
      ],
      expected: { kind: "ok", id: "pub", policy: "public" },
    },
    {
      name: "signed taken when the other ID is DRM",
      ids: [
        { id: "drm", policy: "drm" },
        { id: "sig", policy: "signed" },
      ],
      expected: { kind: "ok", id: "sig", policy: "signed" },
    },
  ])("$name", ({ ids, expected }) => {
    expect(choosePlayback(withIds(ids))).toEqual(expected);
  });

  it("only DRM IDs → skip drm_only", () => {
    const choice = choosePlayback(withIds([{ id: "drm", policy: "drm" }]));
    expect(choice).toMatchObject({ kind: "skip", reason: "drm_only" });
    expect(choice.kind === "skip" && choice.message).toMatch(/add a public or signed playback ID/);
  });

  it.each([
    ["no playback_ids field", null],
    ["an empty list", []],
    ["only a policy we do not know", [{ id: "x", policy: "future" }]],
  ])("%s → skip no_playback_id", (_name, ids) => {
    const choice = choosePlayback(withIds(ids));
    expect(choice).toMatchObject({ kind: "skip", reason: "no_playback_id" });
    expect(choice.kind === "skip" && choice.message).toMatch(/no public or signed playback ID/);
  });
});
