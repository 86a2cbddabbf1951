/** What Mux answered to a static rendition create, read from the SDK's error (`mux/static-rendition-answers.ts`). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerOfCreateError, muxMessage } from "../../src/mux/static-rendition-answers";

const body = (...messages: string[]) => ({ error: { type: "invalid_parameters", messages } });

describe("answerOfCreateError", () => {
  it("reads 'already exists' or 'already defined' as the resolution being defined, whatever the 4xx", () => {
    for (const status of [400, 409, 422]) {
      expect(
        answerOfCreateError(status, body("A static rendition with resolution highest already exists")),
      ).toEqual({
        kind: "exists",
        message: "A static rendition with resolution highest already exists",
      });
      expect(answerOfCreateError(status, body("Static rendition already defined"))?.kind).toBe("exists");
    }
  });

  it("reads 403 as no write permission, other refusals with Mux's message, and leaves the rest to retries", () => {
    expect(answerOfCreateError(403, { error: { type: "forbidden", messages: ["nope"] } })).toEqual({
      kind: "forbidden",
      message: "nope",
    });
    expect(answerOfCreateError(400, body("mp4_support is enabled"))).toEqual({
      kind: "rejected",
      status: 400,
      message: "mp4_support is enabled",
    });
    expect(answerOfCreateError(404, body("already gone"))).toMatchObject({ kind: "rejected", status: 404 });
    for (const status of [undefined, 401, 408, 429, 500, 503])
      expect(answerOfCreateError(status, body("x"))).toBeNull();
  });

  it("keeps Mux's message to one bounded line of printable text, whatever Mux (or anything posing as Mux) sends", () => {
    fc.assert(
      fc.property(fc.anything(), (anything) => {
        const text = muxMessage(anything);
        expect(text.length).toBeLessThanOrEqual(300);
        expect(/\p{Cc}/u.test(text)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 400 }), { maxLength: 5 }), (messages) => {
        const text = muxMessage(body(...messages));
        expect(text.length).toBeLessThanOrEqual(300);
        expect(/\p{Cc}/u.test(text)).toBe(false);
      }),
    );
    expect(muxMessage(body("line one\nline\u0000two"))).toBe("line one line two");
  });
});
