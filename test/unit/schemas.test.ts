import { describe, expect, it } from "vitest";
import { muxAssetSchema, toUnixSeconds, webhookEnvelopeSchema } from "../../src/mux/schemas";

describe("Mux payload parsing", () => {
  it("reads created_at as a number, a numeric string or an ISO date", () => {
    expect(toUnixSeconds(1609868768)).toBe(1609868768);
    expect(toUnixSeconds("1609868768")).toBe(1609868768);
    expect(toUnixSeconds("2021-01-05T17:46:08.000000Z")).toBe(1609868768);
    expect(toUnixSeconds("")).toBeNull();
    expect(toUnixSeconds(undefined)).toBeNull();
  });

  it("accepts an envelope with only id and type (no created_at, no data)", () => {
    const parsed = webhookEnvelopeSchema.parse({ id: "e1", type: "video.asset.ready" });
    expect(parsed).toMatchObject({ id: "e1", type: "video.asset.ready", created_at: null });
  });

  it("keeps an asset whose numeric fields are odd, instead of failing it", () => {
    const asset = muxAssetSchema.parse({
      id: "a",
      static_renditions: {
        status: "ready",
        files: [{ name: "low.mp4", filesize: "", width: "abc", height: "360" }],
      },
    });
    expect(asset.created_at).toBeNull();
    expect(asset.static_renditions?.files?.[0]).toMatchObject({ filesize: null, width: null, height: 360 });
  });

  it("folds the bare-array form of static_renditions into {files}", () => {
    const asset = muxAssetSchema.parse({
      id: "a",
      static_renditions: [{ name: "highest.mp4", status: "ready" }],
    });
    expect(asset.static_renditions?.files?.map((f) => f.name)).toEqual(["highest.mp4"]);
  });
});
