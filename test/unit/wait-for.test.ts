/**
 * The `wait_for` hold (src/sync/wait-for.ts): held until a ready text track exists, at most the
 * grace counted from when the object first waited, never for an object the pipeline has.
 */
import { describe, expect, it } from "vitest";
import { muxAssetSchema } from "../../src/mux/schemas";
import { decideWaitFor, type WaitForInput, waitForFields } from "../../src/sync/wait-for";

const T = 1_767_225_600_000;
const GRACE_S = 3600;
const noCaptions = muxAssetSchema.parse({ id: "a1", tracks: [{ id: "v1", type: "video" }] });
const preparing = muxAssetSchema.parse({
  id: "a1",
  tracks: [{ id: "c1", type: "text", status: "preparing" }],
});
const captioned = muxAssetSchema.parse({ id: "a1", tracks: [{ id: "c1", type: "text", status: "ready" }] });

function input(overrides: Partial<WaitForInput> = {}): WaitForInput {
  return {
    waitFor: ["captions"],
    graceSeconds: GRACE_S,
    asset: noCaptions,
    existing: null,
    now: T,
    ...overrides,
  };
}

const object = (overrides: Partial<NonNullable<WaitForInput["existing"]>> = {}) => ({
  announcedView: null,
  waitForSince: null,
  waitForExpiredAt: null,
  ...overrides,
});

describe("decideWaitFor", () => {
  it("holds an object without a ready text track, from the first time it is seen so", () => {
    expect(decideWaitFor(input())).toMatchObject({ kind: "hold", waitForSince: T });
    expect(decideWaitFor(input({ asset: preparing }))).toMatchObject({ kind: "hold", waitForSince: T });
    const later = decideWaitFor(input({ existing: object({ waitForSince: T }), now: T + 60_000 }));
    expect(later).toMatchObject({ kind: "hold", waitForSince: T });
  });

  it("releases it once a text track is ready, keeping when the hold began", () => {
    expect(decideWaitFor(input({ asset: captioned, existing: object({ waitForSince: T }) }))).toEqual({
      kind: "go",
      waitForSince: T,
      waitForExpiredAt: null,
    });
  });

  it("lets it go without captions once the grace is over, and says so", () => {
    const end = T + GRACE_S * 1000;
    const expired = decideWaitFor(input({ existing: object({ waitForSince: T }), now: end }));
    expect(expired).toMatchObject({ kind: "expired", waitForSince: T, waitForExpiredAt: end });
    expect(expired.kind === "expired" && expired.message).toContain("3600 s wait_for grace");
    // The moment it ran out stays what it was.
    const again = decideWaitFor(
      input({ existing: object({ waitForSince: T, waitForExpiredAt: end }), now: end + 5 }),
    );
    expect(again).toMatchObject({ kind: "expired", waitForExpiredAt: end });
  });

  it("holds nothing without wait_for, with a grace of 0, or for an object the pipeline has", () => {
    expect(decideWaitFor(input({ waitFor: [] }))).toMatchObject({ kind: "go" });
    expect(decideWaitFor(input({ graceSeconds: 0 }))).toMatchObject({ kind: "expired" });
    expect(decideWaitFor(input({ existing: object({ announcedView: "[]" }) }))).toMatchObject({ kind: "go" });
  });

  it("ignores a ready text track without a usable id (it could not be handed over)", () => {
    const badId = muxAssetSchema.parse({ id: "a1", tracks: [{ id: "../x", type: "text", status: "ready" }] });
    expect(decideWaitFor(input({ asset: badId }))).toMatchObject({ kind: "hold" });
  });
});

describe("waitForFields", () => {
  it("keeps the grace's end while held, and clears both once the object does not qualify", () => {
    expect(waitForFields({ kind: "hold", waitForSince: T, message: "" })).toEqual({ waitForSince: T });
    expect(waitForFields(null)).toEqual({ waitForSince: null, waitForExpiredAt: null });
  });
});
