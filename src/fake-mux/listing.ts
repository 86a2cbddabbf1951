/**
 * How `GET /video/v1/assets` orders and pages. Mux documents neither its order (probably newest
 * first) nor whether its cursor survives inserts (its docs example decodes to an offset), so the
 * fake can show each answer: four orders, and a stable cursor (the last asset served) or an
 * offset cursor (`{"page_limit","page_count"}`).
 *
 * A cursor is read by its shape, whatever the current mode, so switching the mode mid-walk
 * changes the cursors handed out from then on; a stable cursor names its asset's creation time,
 * sequence and id, so it can be placed in any order.
 */
import type { AssetRecord } from "./asset-record";
import { hashString } from "./random";
import type { ListOrder } from "./types";

export type Listing = { cursor: "stable" | "offset"; order: ListOrder; shuffleSeed: number };
export type ListKey = { createdAtMs: number; seq: number; id: string };
export type Cursor = { kind: "after"; key: ListKey } | { kind: "offset"; offset: number };
export type AssetPage = { items: AssetRecord[]; nextCursor: string | null };

export const DEFAULT_LISTING: Listing = { cursor: "stable", order: "newest-first", shuffleSeed: 1 };

const byId = (a: ListKey, b: ListKey): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The order as a comparator over keys (records are keys). */
export function comparatorFor(listing: Listing): (a: ListKey, b: ListKey) => number {
  switch (listing.order) {
    case "oldest-first":
      return (a, b) => a.createdAtMs - b.createdAtMs || a.seq - b.seq;
    case "by-id":
      return byId;
    case "shuffled": {
      const rank = (k: ListKey): number => hashString(`${listing.shuffleSeed}:${k.id}`);
      return (a, b) => rank(a) - rank(b) || byId(a, b);
    }
    default:
      // Newest first; the later-created wins a tie within the same millisecond.
      return (a, b) => b.createdAtMs - a.createdAtMs || b.seq - a.seq;
  }
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

export function encodeAfter(key: ListKey): string {
  return encode({ created_at: key.createdAtMs, seq: key.seq, id: key.id });
}

/** An offset as Mux's docs example shows it: `page_limit × page_count` items already served. */
export function encodeOffset(offset: number, limit: number): string {
  return offset % limit === 0
    ? encode({ page_limit: limit, page_count: offset / limit })
    : encode({ page_limit: 1, page_count: offset });
}

export function decodeCursor(cursor: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return null;
    const fields = parsed as Record<string, unknown>;
    const { page_limit: pageLimit, page_count: pageCount } = fields;
    if (typeof pageLimit === "number" && typeof pageCount === "number") {
      const offset = pageLimit * pageCount;
      return Number.isInteger(offset) && offset >= 0 ? { kind: "offset", offset } : null;
    }
    const { created_at: createdAtMs, seq, id } = fields;
    if (typeof createdAtMs !== "number" || typeof seq !== "number") return null;
    return { kind: "after", key: { createdAtMs, seq, id: typeof id === "string" ? id : "" } };
  } catch {
    return null;
  }
}

/**
 * One page of `sorted` (already in `listing`'s order): after the cursor's asset, from the
 * cursor's offset, or `skip` items from the start when there is no cursor.
 */
export function pageOf(
  sorted: readonly AssetRecord[],
  listing: Listing,
  limit: number,
  cursor: Cursor | null,
  skip: number,
): AssetPage {
  let from = skip;
  if (cursor?.kind === "offset") from = cursor.offset;
  if (cursor?.kind === "after") {
    const compare = comparatorFor(listing);
    const start = sorted.findIndex((r) => compare(r, cursor.key) > 0);
    from = start === -1 ? sorted.length : start;
  }
  const items = sorted.slice(from, from + limit);
  const last = items.at(-1);
  if (!last || from + limit >= sorted.length) return { items, nextCursor: null };
  const nextCursor = listing.cursor === "offset" ? encodeOffset(from + limit, limit) : encodeAfter(last);
  return { items, nextCursor };
}
