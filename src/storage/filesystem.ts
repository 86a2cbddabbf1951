/**
 * `ObjectStorage` on a local directory (`STORAGE_DIR`). Each file is streamed to a temporary
 * file beside its destination, hashed and counted on the way, then renamed into place: readers
 * never see a partial file, and memory use does not depend on the file's size.
 *
 * Every path is `root/<bucket>/<asset>[/<name>]` from parts checked by `keys.ts`, and each folder
 * below the root must be a plain directory (`lstat`, then `realpath` once more): a symlink planted
 * inside `STORAGE_DIR` is refused, never followed, so nothing is written or removed outside the
 * object's own folder. A deletion removes exactly that folder (or the bucket's), never a shallower one.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { lstat, mkdir, realpath, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { AppError } from "../lib/errors";
import { bucketSegments, fileSegments, type ObjectFile, objectSegments } from "./keys";
import type { ObjectStorage, StoredObject } from "./types";

export class FileSystemStorage implements ObjectStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(
    file: ObjectFile,
    body: ReadableStream<Uint8Array>,
    options: { expectedBytes?: number | null } = {},
  ): Promise<StoredObject> {
    const [bucketId, assetId, name] = fileSegments(file);
    const folder = await this.folder([bucketId, assetId], true);
    const destination = join(folder, name);
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
    // "wx": a fresh file, never one (or a link) already at that name.
    const written = createWriteStream(temporary, { flags: "wx" });
    try {
      await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), measure, written);
      if (expected !== undefined && expected !== null && expected !== bytes) {
        throw new AppError("UPSTREAM", `Short read: got ${bytes} bytes, expected ${expected}`, {
          retryable: true,
        });
      }
      await rename(temporary, destination);
    } catch (err) {
      // A failure can come while the file is still being opened: removed before its open
      // completes, it would be created after. It is removed once the stream has closed.
      if (!written.closed) await new Promise<void>((closed) => written.once("close", () => closed()));
      await rm(temporary, { force: true });
      throw err;
    }
    return { location: destination, bytes, sha256: hash.digest("hex") };
  }

  async deleteObjectFiles(bucketId: string, assetId: string): Promise<void> {
    await this.removeFolder(objectSegments(bucketId, assetId));
  }

  async deleteBucketFiles(bucketId: string): Promise<void> {
    await this.removeFolder(bucketSegments(bucketId));
  }

  private async removeFolder(segments: string[]): Promise<void> {
    const folder = await this.folder(segments, false);
    // `rm` unlinks symlinks inside the folder rather than following them.
    if (folder) await rm(folder, { recursive: true, force: true });
  }

  /**
   * `root/<segments…>` once each level is a plain directory (made when `create`); null when a
   * level is missing and not `create`. Anything else there (a symlink, a file) is refused.
   */
  private async folder(segments: string[], create: true): Promise<string>;
  private async folder(segments: string[], create: boolean): Promise<string | null>;
  private async folder(segments: string[], create: boolean): Promise<string | null> {
    if (create) await mkdir(this.root, { recursive: true });
    else if (!(await exists(() => stat(this.root)))) return null;
    let path = this.root;
    for (const segment of segments) {
      path = join(path, segment);
      let info = await exists(() => lstat(path));
      if (!info) {
        if (!create) return null;
        await mkdir(path).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "EEXIST") throw err;
        });
        info = await lstat(path);
      }
      if (info.isSymbolicLink() || !info.isDirectory()) throw refused(path);
    }
    // The same answer through the kernel's eyes: the folder is where its name says.
    const [realRoot, realFolder] = await Promise.all([realpath(this.root), realpath(path)]);
    if (realFolder !== join(realRoot, ...segments)) throw refused(path);
    return path;
  }
}

function refused(path: string): AppError {
  return new AppError("FORBIDDEN", `Refusing ${path}: not a plain directory inside the storage directory`);
}

async function exists<T>(probe: () => Promise<T>): Promise<T | null> {
  try {
    return await probe();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}
