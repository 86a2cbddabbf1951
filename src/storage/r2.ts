/**
 * `ObjectStorage` on an R2 bucket (the Workers counterpart of `STORAGE_DIR`). Streamed end to
 * end: bytes flow from the download through a meter (count + SHA-256) into R2, and at most one
 * multipart part is ever held in memory.
 *
 * - Known length (`expectedBytes`, the usual case: Mux sends Content-Length): one `put` of a
 *   `FixedLengthStream`, which R2 requires for a stream body and which also fails the upload when
 *   the byte count differs.
 * - Unknown length: a multipart upload in fixed-size parts (R2 wants every part but the last to
 *   have the same size); a body smaller than one part is a plain `put` of those bytes.
 *
 * R2 makes an object visible only once its upload completes, so a failed or short stream leaves
 * nothing behind (an unfinished multipart upload is aborted).
 *
 * Keys come only from `keys.ts` (checked parts, `<bucket>/<asset>/<name>`), and a deletion lists
 * exactly the prefix `<bucket>/<asset>/` (or `<bucket>/`), slash included, so it never reaches a
 * neighbour whose id merely starts the same way.
 */
import type {
  DigestStream as DigestStreamClass,
  FixedLengthStream as FixedLengthStreamClass,
  R2Bucket,
  R2UploadedPart,
} from "@cloudflare/workers-types";
import { AppError } from "../lib/errors";
import { bucketPrefix, fileKey, type ObjectFile, objectPrefix } from "./keys";
import type { ObjectStorage, StoredObject } from "./types";

/** Workers-only globals, typed from @cloudflare/workers-types without making them global for Node code. */
const workers = globalThis as unknown as {
  FixedLengthStream: typeof FixedLengthStreamClass;
  crypto: { DigestStream: typeof DigestStreamClass };
};

/** R2's smallest part is 5 MiB; 10 MiB parts reach 100 GB within its 10,000-part limit. */
export const DEFAULT_PART_BYTES = 10 * 1024 * 1024;

export type R2StorageOptions = {
  /** Shown in `location` (`r2://{name}/{key}`): the bucket's name, for people. */
  name?: string;
  partBytes?: number;
};

/** The stream did not carry the announced number of bytes (a truncated or padded download). */
export class StorageSizeMismatchError extends AppError {
  constructor(key: string, expected: number, actual: number) {
    super("UPSTREAM", `Expected ${expected} bytes for ${key}, the stream carried ${actual}`, {
      retryable: true,
      details: { key, expected, actual },
    });
    this.name = "StorageSizeMismatchError";
  }
}

export class R2ObjectStorage implements ObjectStorage {
  private readonly name: string;
  private readonly partBytes: number;

  constructor(
    private readonly bucket: R2Bucket,
    options: R2StorageOptions = {},
  ) {
    this.name = options.name ?? "renditions";
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  }

  async put(
    file: ObjectFile,
    body: ReadableStream<Uint8Array>,
    options: { expectedBytes?: number | null; contentType?: string } = {},
  ): Promise<StoredObject> {
    const key = fileKey(file);
    const expected = options.expectedBytes ?? null;
    const meter = new StreamMeter(key, expected);
    const metered = body.pipeThrough(meter.transform);
    const httpMetadata = options.contentType ? { contentType: options.contentType } : undefined;
    if (expected !== null) {
      const fixed = new workers.FixedLengthStream(expected);
      const upload = this.bucket.put(key, fixed.readable, { httpMetadata });
      const piped = metered.pipeTo(fixed.writable as unknown as WritableStream<Uint8Array>);
      // A bad body fails both the pipe and the upload: wait for both, report the pipe's reason
      // (it says what was wrong with the bytes).
      const [pipe, stored] = await Promise.allSettled([piped, upload]);
      if (pipe.status === "rejected") throw pipe.reason;
      if (stored.status === "rejected") throw stored.reason;
    } else {
      await this.putInParts(key, metered, httpMetadata);
    }
    const { bytes, sha256 } = await meter.result();
    if (expected !== null && bytes !== expected) {
      await this.bucket.delete(key);
      throw new StorageSizeMismatchError(key, expected, bytes);
    }
    return { location: `r2://${this.name}/${key}`, bytes, sha256 };
  }

  async deleteObjectFiles(bucketId: string, assetId: string): Promise<void> {
    await this.deletePrefix(objectPrefix(bucketId, assetId));
  }

  async deleteBucketFiles(bucketId: string): Promise<void> {
    await this.deletePrefix(bucketPrefix(bucketId));
  }

  private async deletePrefix(prefix: string): Promise<void> {
    // Each round deletes what it listed, so listing again from the start is always fresh.
    for (;;) {
      const page = await this.bucket.list({ prefix, limit: 1000 });
      const keys = page.objects.map((object) => object.key);
      if (keys.length > 0) await this.bucket.delete(keys);
      if (!page.truncated || keys.length === 0) return;
    }
  }

  /** Unknown length: equal parts, one in memory at a time; a body under one part is a plain put. */
  private async putInParts(
    key: string,
    stream: ReadableStream<Uint8Array>,
    httpMetadata: { contentType: string } | undefined,
  ): Promise<void> {
    const reader = stream.getReader();
    let part = new Uint8Array(this.partBytes);
    let filled = 0;
    let upload: Awaited<ReturnType<R2Bucket["createMultipartUpload"]>> | null = null;
    const uploaded: R2UploadedPart[] = [];
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let offset = 0;
        while (offset < value.byteLength) {
          const take = Math.min(value.byteLength - offset, this.partBytes - filled);
          part.set(value.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
          if (filled === this.partBytes) {
            upload ??= await this.bucket.createMultipartUpload(key, { httpMetadata });
            uploaded.push(await upload.uploadPart(uploaded.length + 1, part));
            part = new Uint8Array(this.partBytes);
            filled = 0;
          }
        }
      }
      if (!upload) {
        await this.bucket.put(key, part.subarray(0, filled), { httpMetadata });
        return;
      }
      if (filled > 0) uploaded.push(await upload.uploadPart(uploaded.length + 1, part.subarray(0, filled)));
      await upload.complete(uploaded);
    } catch (err) {
      await reader.cancel(err).catch(() => undefined);
      await upload?.abort().catch(() => undefined);
      throw err;
    }
  }
}

/** Counts and hashes the bytes that pass through, failing as soon as there are too many. */
class StreamMeter {
  readonly transform: TransformStream<Uint8Array, Uint8Array>;
  private bytes = 0;
  private readonly digest = new workers.crypto.DigestStream("SHA-256");

  constructor(key: string, expected: number | null) {
    const hasher = this.digest.getWriter();
    this.transform = new TransformStream<Uint8Array, Uint8Array>({
      transform: async (chunk, controller) => {
        this.bytes += chunk.byteLength;
        if (expected !== null && this.bytes > expected) {
          throw new StorageSizeMismatchError(key, expected, this.bytes);
        }
        // Awaiting the hash write keeps backpressure: the download never runs ahead of the hash.
        await hasher.write(chunk);
        controller.enqueue(chunk);
      },
      flush: async () => {
        await hasher.close();
      },
    });
  }

  async result(): Promise<{ bytes: number; sha256: string }> {
    const digest = new Uint8Array(await this.digest.digest);
    const sha256 = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return { bytes: this.bytes, sha256 };
  }
}
