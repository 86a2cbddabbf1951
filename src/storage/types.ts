/**
 * Where downloaded renditions are kept: a directory on Node (`STORAGE_DIR`), an R2 bucket on
 * Workers. Both stream: a rendition is never held in memory whole.
 */
export type StoredObject = {
  /** Where it ended up, for people and for the pipeline payload (`rendition.path`). */
  location: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the bytes written. */
  sha256: string;
};

export interface ObjectStorage {
  /**
   * Streams `body` to `key` (e.g. `{bucket_id}/{asset_id}/{name}`). The object becomes visible
   * only once complete; a short or failed stream leaves nothing behind and rejects.
   * With `expectedBytes`, a different byte count is a failure.
   */
  put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options?: { expectedBytes?: number | null; contentType?: string },
  ): Promise<StoredObject>;
  /** Removes every object whose key starts with `prefix` (e.g. `{bucket_id}/{asset_id}/`). */
  deletePrefix(prefix: string): Promise<void>;
}
