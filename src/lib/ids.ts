/** Prefixed random ids: the prefix tells a person what an id names when it shows up in a log. */
export type IdPrefix = "con" | "bkt" | "syn" | "obj" | "run" | "job" | "lease";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}
