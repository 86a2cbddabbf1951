/**
 * The operator console's pages the scale benchmark reads on both databases (the routes of
 * src/http/dashboard/console-routes.tsx and sync-console-routes.tsx), each under the issue's
 * dashboard bound. Every one must answer 200 to a bearer: a page that redirects or fails is
 * not a page the operator sees, so the benchmark logs and counts it.
 */

/** A page's key in `bench/results/scale.json`, in the order the report lists them. */
export const CONSOLE_PAGE_KEYS = [
  "objects",
  "objectsByState",
  "objectsByReason",
  "searchAssetId",
  "story",
  "deadLetters",
  "activity",
  "runs",
  "connections",
  "sync",
] as const;
export type ConsolePageKey = (typeof CONSOLE_PAGE_KEYS)[number];

export type ConsolePage = { key: ConsolePageKey; label: string; path: string };

/** What the pages need from the database being measured. */
export type ConsoleSample = {
  bucketId: string;
  syncId: string;
  /** A delivered object with history and deliveries, and its asset. */
  objectId: string;
  assetId: string;
};

export function consolePages(sample: ConsoleSample): ConsolePage[] {
  const bucket = encodeURIComponent(sample.bucketId);
  const sync = `/dashboard/buckets/${bucket}/syncs/${encodeURIComponent(sample.syncId)}`;
  const objects = `/dashboard/buckets/${bucket}/objects`;
  const pages: Record<ConsolePageKey, Omit<ConsolePage, "key">> = {
    objects: { label: "objects browser, first page", path: objects },
    objectsByState: { label: "objects browser, `state=skipped`", path: `${objects}?state=skipped` },
    objectsByReason: { label: "objects browser, `reason=filtered`", path: `${objects}?reason=filtered` },
    searchAssetId: {
      label: "objects browser, search by asset id",
      path: `${objects}?field=asset_id&q=${encodeURIComponent(sample.assetId)}`,
    },
    story: {
      label: "an object's story (history, deliveries)",
      path: `/dashboard/objects/${encodeURIComponent(sample.objectId)}`,
    },
    deadLetters: { label: "dead letters", path: "/dashboard/dead-letters" },
    activity: { label: "activity (charts of the last day)", path: "/dashboard/activity" },
    runs: { label: "a sync's runs", path: `${sync}/runs` },
    connections: { label: "connections and syncs", path: "/dashboard/connections" },
    sync: { label: "a sync's page", path: sync },
  };
  return CONSOLE_PAGE_KEYS.map((key) => ({ key, ...pages[key] }));
}
