/** Prefixed random ids: the prefix tells a person what an id names when it shows up in a log. */
export type IdPrefix = "con" | "bkt" | "syn" | "obj" | "run" | "job" | "lease";

/** The prefix and the first 20 hex digits of a random UUID (its groups of 8, 4, 4 and 4). */
export function newId(prefix: IdPrefix): string {
  const uuid = crypto.randomUUID();
  return `${prefix}_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(14, 18)}${uuid.slice(19, 23)}`;
}

/** A bucket id as `newId("bkt")` makes it (and `bkt_default`): a storage folder's name, so nothing else. */
export const BUCKET_ID_PATTERN = /^bkt_[A-Za-z0-9]{1,64}$/;

export function isBucketId(value: unknown): value is string {
  return typeof value === "string" && BUCKET_ID_PATTERN.test(value);
}
