/**
 * The one builder of storage keys. An object's files live under `<bucket id>/<asset id>/<file
 * name>`, and every part is checked here against its pattern (a bucket id, a Mux id, a Mux
 * rendition file name or a text track's file name), so no key holds a separator, a dot segment or an escape of its own: a
 * key built here names a place inside its object's folder and nowhere else. Both stores take
 * the parts, never a key string, and build their keys through these functions.
 */
import { AppError } from "../lib/errors";
import { isBucketId } from "../lib/ids";
import { isMuxId, isRenditionFileName, isTrackFileName } from "../mux/ids";

/** One stored file of one object. */
export type ObjectFile = { bucketId: string; assetId: string; name: string };

/** A part of a key that is not of its kind: a bug or a hostile value, never written or deleted. */
export class StorageKeyError extends AppError {
  constructor(part: string, value: unknown) {
    super("BAD_REQUEST", `Refusing a storage key: the ${part} is not valid`, {
      details: { part, value: JSON.stringify(value ?? null).slice(0, 200) },
    });
    this.name = "StorageKeyError";
  }
}

/** `[bucketId]`, checked. */
export function bucketSegments(bucketId: string): [string] {
  if (!isBucketId(bucketId)) throw new StorageKeyError("bucket id", bucketId);
  return [bucketId];
}

/** `[bucketId, assetId]`, checked. */
export function objectSegments(bucketId: string, assetId: string): [string, string] {
  if (!isMuxId(assetId)) throw new StorageKeyError("asset id", assetId);
  return [...bucketSegments(bucketId), assetId];
}

/** `[bucketId, assetId, name]`, checked. */
export function fileSegments(file: ObjectFile): [string, string, string] {
  if (!isRenditionFileName(file.name) && !isTrackFileName(file.name))
    throw new StorageKeyError("file name", file.name);
  return [...objectSegments(file.bucketId, file.assetId), file.name];
}

/** `<bucket>/`: every file of a bucket (R2 prefix). */
export function bucketPrefix(bucketId: string): string {
  return `${bucketSegments(bucketId).join("/")}/`;
}

/** `<bucket>/<asset>/`: every file of one object (R2 prefix). */
export function objectPrefix(bucketId: string, assetId: string): string {
  return `${objectSegments(bucketId, assetId).join("/")}/`;
}

/** `<bucket>/<asset>/<name>`: one file (R2 key). */
export function fileKey(file: ObjectFile): string {
  return fileSegments(file).join("/");
}
