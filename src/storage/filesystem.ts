/**
 * `ObjectStorage` on a local directory (`STORAGE_DIR`). Each object is streamed to a temporary
 * file beside its destination, hashed and counted on the way, then renamed into place: readers
 * never see a partial file, and memory use does not depend on the file's size.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { AppError } from "../lib/errors";
import type { ObjectStorage, StoredObject } from "./types";

export class FileSystemStorage implements ObjectStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: { expectedBytes?: number | null } = {},
  ): Promise<StoredObject> {
    const destination = this.pathFor(key);
    await mkdir(dirname(destination), { recursive: true });
    const temporary = `${destination}.part-${crypto.randomUUID()}`;
    const hash = createHash("sha256");
    let bytes = 0;
    const expected = options.expectedBytes;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        // An answer longer than announced is refused at the first byte too many, not once the
        // disk has taken it all.
        if (expected !== undefined && expected !== null && bytes > expected) {
          callback(
            new AppError("UPSTREAM", `Long read: more than the expected ${expected} bytes`, {
              retryable: true,
            }),
          );
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as NodeReadableStream<Uint8Array>),
        measure,
        createWriteStream(temporary),
      );
      if (expected !== undefined && expected !== null && expected !== bytes) {
        throw new AppError("UPSTREAM", `Short read: got ${bytes} bytes, expected ${expected}`, {
          retryable: true,
        });
      }
      await rename(temporary, destination);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
    return { location: destination, bytes, sha256: hash.digest("hex") };
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathFor(prefix), { recursive: true, force: true });
  }

  /** Keys come from ids and Mux file names; anything that would escape the root is refused. */
  private pathFor(key: string): string {
    const path = resolve(this.root, key);
    if (path !== this.root && !path.startsWith(this.root + sep)) {
      throw new AppError("BAD_REQUEST", `Storage key escapes the storage directory: ${key}`);
    }
    return path;
  }
}
