/** `R2ObjectStorage`: streamed puts (known and unknown length), byte-count checks, prefix deletes. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { R2ObjectStorage, StorageSizeMismatchError } from "../../src/storage/r2";
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
    const stored = await storage.put("bkt/asset-1/low.mp4", streamOf(data), {
      expectedBytes: data.byteLength,
      contentType: "video/mp4",
    });
    expect(stored).toEqual({
      location: "r2://renditions-test/bkt/asset-1/low.mp4",
      bytes: data.byteLength,
      sha256: await sha256Hex(data),
    });
    const object = await bucket.get("bkt/asset-1/low.mp4");
    expect(object?.size).toBe(data.byteLength);
    expect(object?.httpMetadata?.contentType).toBe("video/mp4");
    expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(data);
  });

  it("uploads a body of unknown length in equal parts (multipart)", async () => {
    const data = bytesOf(11 * MIB + 12_345); // 3 parts of 5 MiB, the last one short
    const stored = await storage.put("bkt/asset-2/highest.mp4", streamOf(data, 1 * MIB + 17));
    expect(stored.bytes).toBe(data.byteLength);
    expect(stored.sha256).toBe(await sha256Hex(data));
    const object = await bucket.get("bkt/asset-2/highest.mp4");
    expect(object?.size).toBe(data.byteLength);
    expect(await sha256Hex(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0)))).toBe(
      stored.sha256,
    );
  });

  it("stores a small body of unknown length with one plain put", async () => {
    const data = bytesOf(1000);
    const stored = await storage.put("bkt/asset-3/audio.m4a", streamOf(data, 100));
    expect(stored.bytes).toBe(1000);
    expect((await bucket.head("bkt/asset-3/audio.m4a"))?.size).toBe(1000);
  });

  it("leaves nothing behind when the stream is shorter or longer than announced", async () => {
    const data = bytesOf(50_000);
    await expect(
      storage.put("bkt/asset-4/short.mp4", streamOf(data), { expectedBytes: data.byteLength + 10 }),
    ).rejects.toThrow();
    await expect(
      storage.put("bkt/asset-4/long.mp4", streamOf(data), { expectedBytes: data.byteLength - 10 }),
    ).rejects.toBeInstanceOf(StorageSizeMismatchError);
    expect(await bucket.head("bkt/asset-4/short.mp4")).toBeNull();
    expect(await bucket.head("bkt/asset-4/long.mp4")).toBeNull();
  });

  it("deletes every object under a prefix, and only those", async () => {
    for (const name of ["a.mp4", "b.mp4", "c.m4a"]) await bucket.put(`bkt/asset-5/${name}`, "x");
    await bucket.put("bkt/asset-50/keep.mp4", "x");
    await storage.deletePrefix("bkt/asset-5/");
    expect((await bucket.list({ prefix: "bkt/asset-5/" })).objects).toEqual([]);
    expect(await bucket.head("bkt/asset-50/keep.mp4")).not.toBeNull();
    await expect(storage.deletePrefix("")).rejects.toThrow(/empty prefix/);
  });
});
