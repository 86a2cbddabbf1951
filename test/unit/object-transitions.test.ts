import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ObjectState } from "../../src/db/schema";
import { decideTransition, type StoredState } from "../../src/sync/object-transitions";

const STATES: readonly ObjectState[] = [
  "waiting_for_asset",
  "waiting_for_rendition",
  "ready",
  "delivered",
  "skipped",
  "failed",
  "deleted",
];

/** The forward order of DESIGN §3; the other states have no rank. */
const RANK: Partial<Record<ObjectState, number>> = {
  waiting_for_asset: 1,
  waiting_for_rendition: 2,
  ready: 3,
  delivered: 4,
};

function at(state: ObjectState, reason: string | null = null, message: string | null = null): StoredState {
  return { state, reason, message };
}

describe("decideTransition", () => {
  it("applies anything to an object seen for the first time", () => {
    for (const state of STATES) expect(decideTransition(null, at(state, "r", "m"))).toBe("apply");
  });

  it.each([
    ["waiting_for_asset", "waiting_for_rendition"],
    ["waiting_for_asset", "ready"],
    ["waiting_for_rendition", "ready"],
    ["ready", "delivered"],
    ["waiting_for_asset", "delivered"],
  ] as const)("applies forward progress %s → %s", (from, to) => {
    expect(decideTransition(at(from), at(to))).toBe("apply");
  });

  // A stale webhook or job must never undo progress (mux-facts §2.5).
  it.each([
    ["waiting_for_rendition", "waiting_for_asset"],
    ["ready", "waiting_for_asset"],
    ["ready", "waiting_for_rendition"],
    ["delivered", "ready"],
    ["delivered", "waiting_for_rendition"],
    ["delivered", "waiting_for_asset"],
  ] as const)("refuses going backwards %s → %s", (from, to) => {
    expect(decideTransition(at(from), at(to))).toBe("refuse");
  });

  it("treats deleted as terminal: every next state is refused, even an identical deletion", () => {
    const deleted = at("deleted", "deleted_in_mux", "The asset was deleted in Mux");
    for (const state of STATES) expect(decideTransition(deleted, at(state))).toBe("refuse");
    expect(decideTransition(deleted, { ...deleted })).toBe("refuse");
  });

  it("always applies a deletion to an object that is not deleted yet", () => {
    for (const state of STATES.filter((s) => s !== "deleted")) {
      expect(decideTransition(at(state, "x", "y"), at("deleted", "deleted_in_mux", "gone"))).toBe("apply");
    }
  });

  it("keeps a delivered object delivered: only a deletion moves it", () => {
    const delivered = at("delivered", null, "Delivered");
    for (const state of STATES.filter((s) => s !== "delivered" && s !== "deleted")) {
      expect(decideTransition(delivered, at(state, "filtered", "no longer matches"))).toBe("refuse");
    }
    expect(decideTransition(delivered, at("delivered", "other", "Delivered"))).toBe("refuse");
    expect(decideTransition(delivered, at("deleted", "deleted_in_mux", "gone"))).toBe("apply");
  });

  it("answers same for the same state, reason and message, and applies a changed message", () => {
    const waiting = at("waiting_for_rendition", null, "MP4 renditions are still being prepared by Mux");
    expect(decideTransition(waiting, { ...waiting })).toBe("same");
    expect(decideTransition(waiting, { ...waiting, message: "something else" })).toBe("apply");
    const skipped = at("skipped", "filtered", "passthrough is missing");
    expect(decideTransition(skipped, { ...skipped })).toBe("same");
    expect(decideTransition(skipped, { ...skipped, message: null })).toBe("apply");
    // Refreshing the message of a delivered object is the one same-state write it takes.
    const delivered = at("delivered", null, "Delivered");
    expect(decideTransition(delivered, { ...delivered })).toBe("same");
    expect(decideTransition(delivered, { ...delivered, message: "Delivered again" })).toBe("apply");
  });

  it("answers same for ready → ready with another reason: only a delivery re-announces ready", () => {
    expect(decideTransition(at("ready", null, "a"), at("ready", "other", "b"))).toBe("same");
    expect(decideTransition(at("ready", null, "a"), at("ready", null, "a"))).toBe("same");
    expect(decideTransition(at("ready", null, "a"), at("ready", null, "b"))).toBe("apply");
  });

  it("re-evaluates skipped and failed objects into any state", () => {
    for (const from of [at("skipped", "no_playback_id", "m"), at("failed", "DOWNLOAD", "m")]) {
      for (const state of STATES) {
        expect(decideTransition(from, at(state, "new-reason", "new message"))).toBe("apply");
      }
    }
  });

  it("applies moves out of the progress line and between skip reasons", () => {
    expect(decideTransition(at("ready"), at("skipped", "filtered", "m"))).toBe("apply");
    const gaveUp = at("skipped", "no_static_renditions");
    expect(decideTransition(at("waiting_for_rendition"), gaveUp)).toBe("apply");
    expect(decideTransition(at("waiting_for_asset"), at("failed", "INTERNAL"))).toBe("apply");
    expect(decideTransition(at("skipped", "filtered"), at("skipped", "drm_only"))).toBe("apply");
  });
});

describe("decideTransition invariants over every state, reason and message", () => {
  // Few values, so that equal reasons and messages (the "same" branch) come up often.
  const stateArb = fc.constantFrom(...STATES);
  const textArb = fc.constantFrom(null, "", "a", "b");
  const storedIn = (states: fc.Arbitrary<ObjectState>) =>
    fc.record({ state: states, reason: textArb, message: textArb });
  const stored = storedIn(stateArb);

  it("never moves a progress rank backwards", () => {
    fc.assert(
      fc.property(stored, stored, (current, next) => {
        const from = RANK[current.state];
        const to = RANK[next.state];
        if (from !== undefined && to !== undefined && to < from) {
          expect(decideTransition(current, next)).toBe("refuse");
        }
      }),
    );
  });

  it("refuses everything from deleted, and applies every deletion from elsewhere", () => {
    fc.assert(
      fc.property(stored, stored, (current, next) => {
        const decision = decideTransition(current, next);
        if (current.state === "deleted") expect(decision).toBe("refuse");
        else if (next.state === "deleted") expect(decision).toBe("apply");
      }),
    );
  });

  it("lets a delivered object change only by a deletion or a same-state message refresh", () => {
    fc.assert(
      fc.property(storedIn(fc.constant("delivered")), stored, (current, next) => {
        const refresh =
          next.state === "delivered" && next.reason === current.reason && next.message !== current.message;
        expect(decideTransition(current, next) === "apply").toBe(next.state === "deleted" || refresh);
      }),
    );
  });

  it("answers same only within one state, and always for an identical live state", () => {
    fc.assert(
      fc.property(stored, stored, (current, next) => {
        if (decideTransition(current, next) === "same") expect(next.state).toBe(current.state);
        if (current.state !== "deleted") expect(decideTransition(current, { ...current })).toBe("same");
      }),
    );
  });

  it("never refuses a re-evaluation of a skipped or failed object", () => {
    fc.assert(
      fc.property(storedIn(fc.constantFrom("skipped", "failed")), stored, (current, next) => {
        expect(decideTransition(current, next)).not.toBe("refuse");
      }),
    );
  });
});
