/** Where an object's files live in storage; deleting the prefix removes them all. */
export function storagePrefix(bucketId: string, assetId: string): string {
  return `${bucketId}/${assetId}/`;
}
