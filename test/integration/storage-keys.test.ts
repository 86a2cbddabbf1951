/**
 * Storage keys cannot leave their object's folder: the key builder (`storage/keys.ts`) and the
 * directory store (`FileSystemStorage`) over hostile bucket ids, asset ids and file names (dot
 * segments, separators, NUL, unicode dots, percent-encoding, very long, empty), and over symlinks
 * planted inside STORAGE_DIR. Every accepted key lands in `root/<bucket>/<asset>/`; every path the
 * store touches stays there; a deletion removes exactly that folder and nothing shallower.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppError } from "../../src/lib/errors";
import { FileSystemStorage } from "../../src/storage/filesystem";
import { fileKey, objectPrefix, StorageKeyError } from "../../src/storage/keys";
import { hostilePart, validFileName, validMuxId } from "../helpers/hostile-parts";

let root: string;
let outside: string;
beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), "mux-ingest-keys-"));
  root = join(base, "storage");
  outside = join(base, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, "precious.txt"), "precious");
});
afterEach(() => rmSync(join(root, ".."), { recursive: true, force: true }));

const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const VALID_BUCKET = /^bkt_[A-Za-z0-9]{1,64}$/;
const VALID_NAME = /^[a-z0-9]{1,32}(-[a-z0-9]{1,32}){0,3}\.(mp4|m4a)$/;
/** A text track's files: `{track id}.vtt` and `.txt`, the id a Mux id of at most 200 characters. */
const VALID_TRACK_FILE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}\.(vtt|txt)$/;

const hostile = hostilePart;
const validId = validMuxId;
const validBucket = fc.stringMatching(/^[A-Za-z0-9]{1,20}$/).map((s) => `bkt_${s}`);
const trackFileName = fc
  .tuple(fc.oneof(validId, hostile), fc.constantFrom(".vtt", ".txt", ".vtt/..", ".srt", ""))
  .map(([id, ext]) => `${id}${ext}`);
const validName = fc.oneof(validFileName, trackFileName);
const anyId = fc.oneof(validId, hostile);
const anyBucket = fc.oneof(validBucket, hostile);
const anyName = fc.oneof(validName, hostile);

/** Every file and link under `dir`, relative, with a hash of each file's bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile())
      out[relative(dir, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    else if (entry.isSymbolicLink()) out[relative(dir, path)] = "link";
  }
  return out;
}

function body(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

describe("the key builder", () => {
  it("accepts only valid parts, and an accepted key is exactly <bucket>/<asset>/<name>", () => {
    fc.assert(
      fc.property(anyBucket, anyId, anyName, (bucketId, assetId, name) => {
        const valid =
          VALID_BUCKET.test(bucketId) &&
          VALID_ID.test(assetId) &&
          (VALID_NAME.test(name) || VALID_TRACK_FILE.test(name));
        let key: string | null = null;
        try {
          key = fileKey({ bucketId, assetId, name });
        } catch (err) {
          expect(err).toBeInstanceOf(StorageKeyError);
        }
        expect(key !== null).toBe(valid);
        if (key !== null) {
          expect(key).toBe(`${bucketId}/${assetId}/${name}`);
          expect(key.startsWith(objectPrefix(bucketId, assetId))).toBe(true);
          expect(key.split("/")).toHaveLength(3);
          expect(key.split("/").some((part) => part === "." || part === ".." || part === "")).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("FileSystemStorage", () => {
  it("writes an accepted file exactly in root/<bucket>/<asset>/, and refuses every other key before touching the disk", async () => {
    const storage = new FileSystemStorage(root);
    mkdirSync(join(root, "bkt_keep", "asset1"), { recursive: true });
    writeFileSync(join(root, "bkt_keep", "asset1", "low.mp4"), "keep");
    await fc.assert(
      fc.asyncProperty(anyBucket, anyId, anyName, async (bucketId, assetId, name) => {
        const before = snapshot(root);
        const valid =
          VALID_BUCKET.test(bucketId) &&
          VALID_ID.test(assetId) &&
          (VALID_NAME.test(name) || VALID_TRACK_FILE.test(name));
        const put = storage.put({ bucketId, assetId, name }, body("bytes"));
        if (!valid) {
          await expect(put).rejects.toBeInstanceOf(StorageKeyError);
          expect(snapshot(root)).toEqual(before);
        } else {
          const stored = await put;
          expect(stored.location).toBe(join(root, bucketId, assetId, name));
          const added = Object.keys(snapshot(root)).filter((path) => !(path in before));
          for (const path of added) expect(path.startsWith(`${bucketId}${sep}${assetId}${sep}`)).toBe(true);
        }
        expect(snapshot(outside)).toEqual({
          "precious.txt": createHash("sha256").update("precious").digest("hex"),
        });
      }),
      { numRuns: 300 },
    );
    expect(readFileSync(join(root, "bkt_keep", "asset1", "low.mp4"), "utf8")).toBe("keep");
  });

  it("deletes exactly root/<bucket>/<asset>/ (or root/<bucket>/), and refuses every other id", async () => {
    const storage = new FileSystemStorage(root);
    await fc.assert(
      fc.asyncProperty(anyBucket, anyId, fc.boolean(), async (bucketId, assetId, wholeBucket) => {
        // A neighbourhood: the target, a sibling asset, an asset whose id extends it, another bucket.
        const safeBucket = VALID_BUCKET.test(bucketId) ? bucketId : "bkt_target";
        const safeAsset = VALID_ID.test(assetId) ? assetId : "target";
        const plant = (path: string) => {
          mkdirSync(join(root, path, ".."), { recursive: true });
          writeFileSync(join(root, path), path);
        };
        plant(`${safeBucket}/${safeAsset}/low.mp4`);
        plant(`${safeBucket}/${safeAsset}0/low.mp4`);
        plant(`${safeBucket}/sibling/low.mp4`);
        plant(`${safeBucket}0/${safeAsset}/low.mp4`);
        plant("bkt_other/other/low.mp4");
        const before = snapshot(root);
        const valid = VALID_BUCKET.test(bucketId) && (wholeBucket || VALID_ID.test(assetId));
        const deletion = wholeBucket
          ? storage.deleteBucketFiles(bucketId)
          : storage.deleteObjectFiles(bucketId, assetId);
        if (!valid) {
          await expect(deletion).rejects.toBeInstanceOf(StorageKeyError);
          expect(snapshot(root)).toEqual(before);
        } else {
          await deletion;
          const gone = wholeBucket ? `${bucketId}${sep}` : `${bucketId}${sep}${assetId}${sep}`;
          const after = snapshot(root);
          for (const path of Object.keys(before)) expect(path in after).toBe(!path.startsWith(gone));
          expect(existsSync(join(root, bucketId))).toBe(!wholeBucket);
        }
        expect(existsSync(root)).toBe(true);
        rmSync(root, { recursive: true, force: true });
        mkdirSync(root);
      }),
      { numRuns: 300 },
    );
    expect(readFileSync(join(outside, "precious.txt"), "utf8")).toBe("precious");
  });

  it("refuses a bucket or object folder that is a symlink out of STORAGE_DIR, for writes and deletions", async () => {
    const storage = new FileSystemStorage(root);
    symlinkSync(outside, join(root, "bkt_linked"));
    mkdirSync(join(root, "bkt_plain"));
    symlinkSync(outside, join(root, "bkt_plain", "asset1"));
    for (const attempt of [
      () => storage.put({ bucketId: "bkt_linked", assetId: "asset1", name: "low.mp4" }, body("x")),
      () => storage.deleteObjectFiles("bkt_linked", "asset1"),
      () => storage.deleteBucketFiles("bkt_linked"),
      () => storage.put({ bucketId: "bkt_plain", assetId: "asset1", name: "low.mp4" }, body("x")),
      () => storage.deleteObjectFiles("bkt_plain", "asset1"),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: "FORBIDDEN" } satisfies Partial<AppError>);
    }
    expect(readdirSync(outside)).toEqual(["precious.txt"]);
    expect(readFileSync(join(outside, "precious.txt"), "utf8")).toBe("precious");
  });

  it("removes a symlink inside an object's folder without following it", async () => {
    const storage = new FileSystemStorage(root);
    mkdirSync(join(root, "bkt_a", "asset1"), { recursive: true });
    symlinkSync(outside, join(root, "bkt_a", "asset1", "escape"));
    symlinkSync(join(outside, "precious.txt"), join(root, "bkt_a", "asset1", "low.mp4"));
    await storage.deleteObjectFiles("bkt_a", "asset1");
    expect(existsSync(join(root, "bkt_a", "asset1"))).toBe(false);
    expect(existsSync(join(root, "bkt_a"))).toBe(true);
    expect(readFileSync(join(outside, "precious.txt"), "utf8")).toBe("precious");
  });

  it("does not write through a link already at the file's name", async () => {
    const storage = new FileSystemStorage(root);
    mkdirSync(join(root, "bkt_a", "asset1"), { recursive: true });
    symlinkSync(join(outside, "precious.txt"), join(root, "bkt_a", "asset1", "low.mp4"));
    await storage.put({ bucketId: "bkt_a", assetId: "asset1", name: "low.mp4" }, body("new bytes"));
    expect(readFileSync(join(outside, "precious.txt"), "utf8")).toBe("precious");
    expect(readFileSync(join(root, "bkt_a", "asset1", "low.mp4"), "utf8")).toBe("new bytes");
  });
});
