/**
 * Where downloaded renditions are kept: a directory on Node (`STORAGE_DIR`), an R2 bucket on
 * Workers. Both stream: a rendition is never held in memory whole.
 */
import type { ObjectFile } from "./keys";

export type StoredObject = {
  /** Where it ended up, for people and for the pipeline payload (`rendition.path`). */
  location: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the bytes written. */
  sha256: string;
};

export interface ObjectStorage {
  /**
   * Streams `body` to the object's file `<bucket>/<asset>/<name>` (parts checked by
   * `storage/keys.ts`). The file becomes visible only once complete; a short or failed stream
   * leaves nothing behind and rejects. With `expectedBytes`, a different byte count is a failure.
   */
  put(
    file: ObjectFile,
    body: ReadableStream<Uint8Array>,
    options?: { expectedBytes?: number | null; contentType?: string },
  ): Promise<StoredObject>;
  /** Removes exactly the object's folder `<bucket>/<asset>/` and everything in it; nothing else. */
  deleteObjectFiles(bucketId: string, assetId: string): Promise<void>;
  /** Removes exactly the bucket's folder `<bucket>/` and everything in it; nothing else. */
  deleteBucketFiles(bucketId: string): Promise<void>;
}
