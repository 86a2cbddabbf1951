/**
 * The console's objects browser: a bucket's objects, newest change first, filtered by state and
 * reason, or searched by asset id, title, passthrough or external id; with the bucket's counts
 * by state and reason (the trigger-kept `object_counts`, never a count of objects).
 *
 * Every page is one index range, read in index order, so its cost does not grow with the bucket:
 * - unsearched, the change feed's own indexes (`objects_feed_seq_idx`, `objects_state_feed_idx`,
 *   `objects_reason_feed_idx`) walked backwards from the cursor;
 * - by asset id, a prefix range of `objects_bucket_asset_uq`;
 * - by title, passthrough or external id, a prefix range of an expression index over the
 *   lower-cased metadata field (migration 0013), so the search is a case-insensitive (ASCII)
 *   "starts with", never a scan for a substring.
 * A filter the range cannot apply (a state beside a reason, or any filter beside a search) is
 * applied to at most `EXAMINED_PER_PAGE` entries of the range: such a page can come back short,
 * even empty, with `has_more` and a cursor to carry on from where it stopped looking.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { objectCounts } from "../db/bookkeeping";
import { buckets, type ObjectState, objects } from "../db/schema";
import type { Deps } from "../sync/deps";
import { findBucket } from "./buckets";
import { decodePageCursor, encodePageCursor } from "./page-cursor";
import { presentObject } from "./present";
import type { ObjectView } from "./views";

export const SEARCH_FIELDS = ["asset_id", "title", "passthrough", "external_id"] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/**
 * The indexed expressions behind the metadata searches, exactly as migration 0013 declares them
 * (SQLite uses an expression index only for the same expression; a test compares the two).
 */
export const METADATA_SEARCH_INDEXES = {
  title: { index: "objects_title_search_idx", expression: "lower(json_extract(metadata, '$.title'))" },
  passthrough: {
    index: "objects_passthrough_search_idx",
    expression: "lower(json_extract(metadata, '$.passthrough'))",
  },
  external_id: {
    index: "objects_external_id_search_idx",
    expression: "lower(json_extract(metadata, '$.external_id'))",
  },
} as const;

/** How many entries of a range a filtered or searched page looks at, at most. */
export const EXAMINED_PER_PAGE = 1_000;
/** Ids per `IN (…)` of the page's rows (D1 binds at most 100 parameters per statement). */
const IDS_PER_STATEMENT = 50;

export type ObjectBrowseQuery = {
  state?: ObjectState;
  reason?: string;
  search?: { field: SearchField; term: string };
  cursor?: string;
  limit: number;
};

export type ObjectCounts = {
  total: number;
  by_state: Record<string, number>;
  by_reason: Array<{ state: string; reason: string; count: number }>;
};

export type ObjectBrowsePage = {
  bucket: { id: string; name: string };
  counts: ObjectCounts;
  data: ObjectView[];
  next_cursor: string | null;
  has_more: boolean;
};

/** One entry of the range a page walks: enough to filter it and to say where the page stopped. */
type Entry = { id: string; state: string; reason: string | null; position: string };

/** After every string that starts with a prefix (the highest code point): the end of its range. */
const PREFIX_END = sql`char(1114111)`;

export async function browseObjects(
  deps: Pick<Deps, "database">,
  { bucketId, query }: { bucketId: string; query: ObjectBrowseQuery },
): Promise<ObjectBrowsePage> {
  const bucket = await findBucket(deps, bucketId);
  const residual = residualFilter(query);
  const window = residual ? EXAMINED_PER_PAGE : query.limit + 1;
  const entries = await walk(deps, bucketId, query, window);
  const matches = residual ? entries.filter(residual) : entries;
  const page = matches.slice(0, query.limit);
  const stoppedAt =
    matches.length > query.limit ? page.at(-1) : entries.length === window ? entries.at(-1) : null;
  return {
    bucket: { id: bucket.id, name: bucket.name },
    counts: await objectCountsOf(deps, bucketId),
    data: await rowsInOrder(
      deps,
      page.map((e) => e.id),
    ),
    next_cursor: stoppedAt ? stoppedAt.position : null,
    has_more: stoppedAt !== null && stoppedAt !== undefined,
  };
}

/** The bucket's objects by state and by reason, from the trigger-kept rows. */
export async function objectCountsOf(deps: Pick<Deps, "database">, bucketId: string): Promise<ObjectCounts> {
  const rows = await deps.database.db
    .select({ state: objectCounts.state, reason: objectCounts.reason, n: objectCounts.n })
    .from(objectCounts)
    .where(and(eq(objectCounts.bucketId, bucketId), gt(objectCounts.n, 0)))
    .all();
  const byState: Record<string, number> = {};
  for (const row of rows) byState[row.state] = (byState[row.state] ?? 0) + row.n;
  return {
    total: rows.reduce((sum, row) => sum + row.n, 0),
    by_state: byState,
    by_reason: rows
      .filter((row) => row.reason !== "")
      .map((row) => ({ state: row.state, reason: row.reason, count: row.n }))
      .sort((a, b) => a.state.localeCompare(b.state) || a.reason.localeCompare(b.reason)),
  };
}

/** The filter left for after the range, or null when the range applies every filter itself. */
function residualFilter(query: ObjectBrowseQuery): ((entry: Entry) => boolean) | null {
  const { state, reason } = query;
  const byState = state !== undefined && (query.search !== undefined || reason !== undefined);
  const byReason = reason !== undefined && query.search !== undefined;
  if (!byState && !byReason) return null;
  return (entry) => (!byState || entry.state === state) && (!byReason || entry.reason === reason);
}

async function walk(
  deps: Pick<Deps, "database">,
  bucketId: string,
  query: ObjectBrowseQuery,
  window: number,
): Promise<Entry[]> {
  if (!query.search) return walkFeed(deps, bucketId, query, window);
  if (query.search.field === "asset_id")
    return walkAssetIds(deps, bucketId, query.search.term, query, window);
  return walkMetadata(deps, bucketId, query.search.field, query.search.term, query, window);
}

/** Newest change first: the feed's index (by state or reason when filtered), backwards. */
async function walkFeed(
  deps: Pick<Deps, "database">,
  bucketId: string,
  query: ObjectBrowseQuery,
  window: number,
): Promise<Entry[]> {
  const conditions: SQL[] = [eq(objects.bucketId, bucketId)];
  if (query.reason !== undefined) conditions.push(sql`${objects.reason} = ${query.reason}`);
  else if (query.state !== undefined) conditions.push(eq(objects.state, query.state));
  if (query.cursor) {
    const [seq] = decodePageCursor(query.cursor, "feed", ["number"]);
    conditions.push(lt(objects.feedSeq, seq));
  }
  const rows = await deps.database.db
    .select({ id: objects.id, state: objects.state, reason: objects.reason, seq: objects.feedSeq })
    .from(objects)
    .where(and(...conditions))
    .orderBy(desc(objects.feedSeq))
    .limit(window)
    .all();
  return rows.map((r) => ({ ...r, position: encodePageCursor(["feed", r.seq ?? 0]) }));
}

/** Asset ids starting with the term, in id order (ids are case-sensitive). */
async function walkAssetIds(
  deps: Pick<Deps, "database">,
  bucketId: string,
  term: string,
  query: ObjectBrowseQuery,
  window: number,
): Promise<Entry[]> {
  const conditions: SQL[] = [
    eq(objects.bucketId, bucketId),
    gte(objects.assetId, term),
    sql`${objects.assetId} < ${term} || ${PREFIX_END}`,
  ];
  if (query.cursor) {
    const [after] = decodePageCursor(query.cursor, "asset", ["string"]);
    conditions.push(gt(objects.assetId, after));
  }
  const rows = await deps.database.db
    .select({ id: objects.id, state: objects.state, reason: objects.reason, assetId: objects.assetId })
    .from(objects)
    .where(and(...conditions))
    .orderBy(asc(objects.assetId))
    .limit(window)
    .all();
  return rows.map((r) => ({ ...r, position: encodePageCursor(["asset", r.assetId]) }));
}

/** Metadata values starting with the term (lower-cased alike), in index order: value, then rowid. */
async function walkMetadata(
  deps: Pick<Deps, "database">,
  bucketId: string,
  field: Exclude<SearchField, "asset_id">,
  term: string,
  query: ObjectBrowseQuery,
  window: number,
): Promise<Entry[]> {
  const key = sql.raw(METADATA_SEARCH_INDEXES[field].expression);
  const conditions: SQL[] = [
    eq(objects.bucketId, bucketId),
    sql`${key} >= lower(${term})`,
    sql`${key} < lower(${term}) || ${PREFIX_END}`,
  ];
  if (query.cursor) {
    const [value, rowid] = decodePageCursor(query.cursor, field, ["string", "number"]);
    // The bound on the value is the index range; the rowid only breaks ties at its edge.
    conditions.push(sql`${key} >= ${value}`, sql`(${key} > ${value} OR ${objects}.rowid > ${rowid})`);
  }
  const rows = await deps.database.db
    .select({
      id: objects.id,
      state: objects.state,
      reason: objects.reason,
      key: sql<string>`${key}`,
      rowid: sql<number>`${objects}.rowid`,
    })
    .from(objects)
    .where(and(...conditions))
    .orderBy(sql`${key}`, sql`${objects}.rowid`)
    .limit(window)
    .all();
  return rows.map((r) => ({ ...r, position: encodePageCursor([field, r.key, r.rowid]) }));
}

/** The page's objects, whole, in the order of `ids`. */
async function rowsInOrder(deps: Pick<Deps, "database">, ids: readonly string[]): Promise<ObjectView[]> {
  const found = new Map<string, typeof objects.$inferSelect>();
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
    for (const row of await deps.database.db.select().from(objects).where(inArray(objects.id, chunk)).all())
      found.set(row.id, row);
  }
  return ids.flatMap((id) => {
    const row = found.get(id);
    return row ? [presentObject(row)] : [];
  });
}

/** The buckets by name, for the console's bucket switcher (a small table). */
export async function listBucketNames(
  deps: Pick<Deps, "database">,
): Promise<Array<{ id: string; name: string }>> {
  return deps.database.db
    .select({ id: buckets.id, name: buckets.name })
    .from(buckets)
    .orderBy(asc(buckets.createdAt))
    .all();
}

/** The objects of an asset, in every bucket: one unique-index step per bucket. */
export async function findObjectsOfAsset(
  deps: Pick<Deps, "database">,
  assetId: string,
): Promise<Array<{ id: string; bucketId: string }>> {
  return deps.database.db
    .select({ id: objects.id, bucketId: objects.bucketId })
    .from(objects)
    .where(
      and(
        inArray(objects.bucketId, deps.database.db.select({ id: buckets.id }).from(buckets)),
        eq(objects.assetId, assetId),
      ),
    )
    .all();
}
