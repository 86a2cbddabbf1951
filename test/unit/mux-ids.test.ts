/**
 * Where Mux data enters, an id that is not a Mux id or a file name that is not a Mux rendition
 * name is refused, never used: the asset schema (REST, listing snapshots), its playback ids and
 * files, the listing (entries skipped and reported), `retrieveAsset` (no request at all), and a
 * sync's `source_path`. Property-tested over hostile strings and valid ones alike.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMuxApi } from "../../src/mux/client";
import { muxAssetSchema } from "../../src/mux/schemas";
import { sourcePathSchema } from "../../src/sync/settings";
import { hostilePart, validFileName, validMuxId } from "../helpers/hostile-parts";

/** The rules, restated independently of src/mux/ids.ts. */
const isValidId = (s: string) => s.length <= 255 && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(s);
const isValidName = (s: string) => /^[a-z0-9]{1,32}(-[a-z0-9]{1,32}){0,3}\.(mp4|m4a)$/.test(s);

const hostile = hostilePart;
const anyId = fc.oneof(validMuxId, hostile);
const anyName = fc.oneof(validFileName, hostile);

describe("Mux ids and file names at the boundary", () => {
  it("parses an asset only when its id is a Mux id, and keeps exactly the valid playback ids and files", () => {
    fc.assert(
      fc.property(
        anyId,
        fc.array(anyId, { maxLength: 4 }),
        fc.array(anyName, { maxLength: 4 }),
        (id, playbackIds, names) => {
          const parsed = muxAssetSchema.safeParse({
            id,
            playback_ids: playbackIds.map((p) => ({ id: p, policy: "public" })),
            static_renditions: { status: "ready", files: names.map((name) => ({ name, ext: "mp4" })) },
          });
          expect(parsed.success).toBe(isValidId(id));
          if (!parsed.success) return;
          expect(parsed.data.playback_ids?.map((p) => p.id)).toEqual(playbackIds.filter(isValidId));
          expect(parsed.data.static_renditions?.files?.map((f) => f.name)).toEqual(names.filter(isValidName));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("skips listed entries whose id is not a Mux id (reporting each), and asks Mux nothing for such an id", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyId, { minLength: 1, maxLength: 8 }), async (ids) => {
        const requested: string[] = [];
        const api = createMuxApi({
          baseUrl: "https://api.mux.test",
          credentials: { tokenId: "id", tokenSecret: "secret" },
          maxRetries: 0,
          timeoutMs: 1000,
          fetch: async (input) => {
            requested.push(String(input instanceof Request ? input.url : input));
            return Response.json({ data: ids.map((id) => ({ id, status: "ready" })), next_cursor: "next" });
          },
        });
        const page = await api.listAssets({ limit: 100 });
        expect(page.assets.map((a) => a.id)).toEqual(ids.filter(isValidId));
        expect(page.skipped).toHaveLength(ids.filter((id) => !isValidId(id)).length);
        expect(page.nextCursor).toBe("next");
        for (const id of ids.filter((id) => !isValidId(id))) {
          const before = requested.length;
          await expect(api.retrieveAsset(id)).rejects.toMatchObject({ code: "BAD_REQUEST" });
          expect(requested.length).toBe(before);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses an answer to retrieveAsset that names another asset", async () => {
    const api = createMuxApi({
      baseUrl: "https://api.mux.test",
      credentials: { tokenId: "id", tokenSecret: "secret" },
      maxRetries: 0,
      timeoutMs: 1000,
      fetch: async () => Response.json({ data: { id: "someOtherAsset", status: "ready" } }),
    });
    await expect(api.retrieveAsset("asset1")).rejects.toMatchObject({ code: "UPSTREAM" });
  });

  it("takes a source_path only as mux:// or mux://{Mux id}", () => {
    fc.assert(
      fc.property(anyId, (id) => {
        expect(sourcePathSchema.safeParse(`mux://${id}`).success).toBe(id === "" || isValidId(id));
      }),
      { numRuns: 1000 },
    );
  });
});
