/** `R2ObjectStorage`: streamed puts (known and unknown length), byte-count checks, exact folder deletes, hostile key parts. */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isBucketId } from "../../src/lib/ids";
import { isMuxId, isRenditionFileName } from "../../src/mux/ids";
import { StorageKeyError } from "../../src/storage/keys";
import { R2ObjectStorage, StorageSizeMismatchError } from "../../src/storage/r2";
import { hostilePart } from "../helpers/hostile-parts";
import type { TestEnv } from "./helpers/test-env";

const bucket = (env as TestEnv).RENDITIONS;
const MIB = 1024 * 1024;

/** `size` deterministic bytes, streamed in uneven chunks. */
function bytesOf(size: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) % 251;
  return data;
}

function streamOf(data: Uint8Array, chunk = 64 * 1024 + 3): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) return controller.close();
      controller.enqueue(data.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("R2ObjectStorage", () => {
  const storage = new R2ObjectStorage(bucket, { name: "renditions-test", partBytes: 5 * MIB });

  it("streams a body of known length and reports its size and SHA-256", async () => {
    const data = bytesOf(300_000);
    const stored = await storage.put(file("asset1", "low.mp4"), streamOf(data), {
      expectedBytes: data.byteLength,
      contentType: "video/mp4",
    });
    expect(stored).toEqual({
      location: "r2://renditions-test/bkt_r2/asset1/low.mp4",
      bytes: data.byteLength,
      sha256: await sha256Hex(data),
    });
    const object = await bucket.get("bkt_r2/asset1/low.mp4");
    expect(object?.size).toBe(data.byteLength);
    expect(object?.httpMetadata?.contentType).toBe("video/mp4");
    expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(data);
  });

  it("uploads a body of unknown length in equal parts (multipart)", async () => {
    const data = bytesOf(11 * MIB + 12_345); // 3 parts of 5 MiB, the last one short
    const stored = await storage.put(file("asset2", "highest.mp4"), streamOf(data, 1 * MIB + 17));
    expect(stored.bytes).toBe(data.byteLength);
    expect(stored.sha256).toBe(await sha256Hex(data));
    const object = await bucket.get("bkt_r2/asset2/highest.mp4");
    expect(object?.size).toBe(data.byteLength);
    expect(await sha256Hex(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0)))).toBe(
      stored.sha256,
    );
  });

  it("stores a small body of unknown length with one plain put", async () => {
    const data = bytesOf(1000);
    const stored = await storage.put(file("asset3", "audio.m4a"), streamOf(data, 100));
    expect(stored.bytes).toBe(1000);
    expect((await bucket.head("bkt_r2/asset3/audio.m4a"))?.size).toBe(1000);
  });

  it("leaves nothing behind when the stream is shorter or longer than announced", async () => {
    const data = bytesOf(50_000);
    await expect(
      storage.put(file("asset4", "short.mp4"), streamOf(data), { expectedBytes: data.byteLength + 10 }),
    ).rejects.toThrow();
    await expect(
      storage.put(file("asset4", "long.mp4"), streamOf(data), { expectedBytes: data.byteLength - 10 }),
    ).rejects.toBeInstanceOf(StorageSizeMismatchError);
    expect(await bucket.head("bkt_r2/asset4/short.mp4")).toBeNull();
    expect(await bucket.head("bkt_r2/asset4/long.mp4")).toBeNull();
  });

  it("deletes exactly one object's folder, or one bucket's, and nothing beside them", async () => {
    const keys = [
      "bkt_r2/asset5/a.mp4",
      "bkt_r2/asset5/c.m4a",
      "bkt_r2/asset50/keep.mp4",
      "bkt_r22/asset5/keep.mp4",
      "bkt_r2x/asset5/keep.mp4",
    ];
    for (const key of keys) await bucket.put(key, "x");
    await storage.deleteObjectFiles("bkt_r2", "asset5");
    expect((await bucket.list({ prefix: "bkt_r2/asset5/" })).objects).toEqual([]);
    for (const key of keys.slice(2)) expect(await bucket.head(key)).not.toBeNull();
    await storage.deleteBucketFiles("bkt_r2");
    expect((await bucket.list({ prefix: "bkt_r2/" })).objects).toEqual([]);
    expect(await bucket.head("bkt_r22/asset5/keep.mp4")).not.toBeNull();
    expect(await bucket.head("bkt_r2x/asset5/keep.mp4")).not.toBeNull();
  });

  it("refuses every hostile bucket id, asset id or file name before touching R2", async () => {
    await bucket.put("bkt_r3/asset1/keep.mp4", "x");
    // A hostile part that no rule accepts: not a Mux id, a bucket id or a rendition file name
    // (the rules themselves decide, so a generated value that happens to be valid is left out).
    const hostile = hostilePart.filter(
      (s) => s.length > 0 && !isMuxId(s) && !isBucketId(s) && !isRenditionFileName(s),
    );
    await fc.assert(
      fc.asyncProperty(hostile, fc.constantFrom("bucket", "asset", "name"), async (bad, where) => {
        const parts = { bucketId: "bkt_r3", assetId: "asset1", name: "keep.mp4" };
        const file = {
          ...parts,
          [where === "bucket" ? "bucketId" : where === "asset" ? "assetId" : "name"]: bad,
        };
        await expect(storage.put(file, streamOf(bytesOf(10)))).rejects.toBeInstanceOf(StorageKeyError);
        if (where !== "name") {
          await expect(storage.deleteObjectFiles(file.bucketId, file.assetId)).rejects.toBeInstanceOf(
            StorageKeyError,
          );
        }
        if (where === "bucket")
          await expect(storage.deleteBucketFiles(bad)).rejects.toBeInstanceOf(StorageKeyError);
      }),
      { numRuns: 150 },
    );
    const left = (await bucket.list()).objects.map((o) => o.key);
    expect(left).toContain("bkt_r3/asset1/keep.mp4");
    expect(left.every((key) => /^bkt_[A-Za-z0-9]+\/[A-Za-z0-9]+\/[a-z0-9-]+\.(mp4|m4a)$/.test(key))).toBe(
      true,
    );
  });
});

function file(assetId: string, name: string) {
  return { bucketId: "bkt_r2", assetId, name };
}
