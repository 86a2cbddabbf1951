/** Prefixed random ids: the prefix tells a person what an id names when it shows up in a log. */
export type IdPrefix = "con" | "bkt" | "syn" | "obj" | "run" | "job" | "lease";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

/** A bucket id as `newId("bkt")` makes it (and `bkt_default`): a storage folder's name, so nothing else. */
export const BUCKET_ID_PATTERN = /^bkt_[A-Za-z0-9]{1,64}$/;

export function isBucketId(value: unknown): value is string {
  return typeof value === "string" && BUCKET_ID_PATTERN.test(value);
}
