/** `newId`: the prefix and the first 20 hex digits of a random UUID, dashes left out. */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newId } from "../../src/lib/ids";

afterEach(() => vi.restoreAllMocks());

describe("newId", () => {
  it("is the prefix and the UUID's first 20 hex digits, for any UUID", () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        vi.spyOn(crypto, "randomUUID").mockReturnValueOnce(uuid as ReturnType<typeof crypto.randomUUID>);
        expect(newId("job")).toBe(`job_${uuid.replaceAll("-", "").slice(0, 20)}`);
      }),
    );
  });

  it("gives distinct ids of the documented shape", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("obj")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^obj_[0-9a-f]{20}$/);
  });
});
