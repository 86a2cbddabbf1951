/**
 * The counters tests read: calls by route and status (in all and per environment), faults
 * served, webhooks, downloads, static renditions created and deleted. One set for the whole fake.
 */
import type { FakeMuxStats } from "./types";

export function emptyStats(): FakeMuxStats {
  return {
    calls: {},
    environments: {},
    listCalls: 0,
    retrieveCalls: 0,
    whoamiCalls: 0,
    rateLimited: 0,
    injectedErrors: 0,
    webhooks: {
      emitted: 0,
      sent: 0,
      delivered: 0,
      failed: 0,
      retried: 0,
      gaveUp: 0,
      dropped: 0,
      duplicated: 0,
      unrouted: 0,
    },
    downloads: { requests: 0, bytes: 0 },
    renditions: { creates: {}, deletes: {} },
  };
}

/** One static rendition create or delete that reached asset `assetId`, for `resolution`. */
export function recordRenditionCall(
  stats: FakeMuxStats,
  kind: "creates" | "deletes",
  assetId: string,
  resolution: string,
): void {
  const key = `${assetId}/${resolution}`;
  stats.renditions[kind][key] = (stats.renditions[kind][key] ?? 0) + 1;
}

/** The named routes whose totals get their own counter. */
const ROUTE_COUNTERS = {
  "GET /video/v1/assets": "listCalls",
  "GET /video/v1/assets/:id": "retrieveCalls",
  "GET /system/v1/whoami": "whoamiCalls",
} as const;

function count(calls: FakeMuxStats["calls"], route: string, status: number): void {
  const byStatus = calls[route] ?? {};
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  calls[route] = byStatus;
}

/** `environmentId`: the environment whose token the call authenticated with, if any. */
export function recordCall(stats: FakeMuxStats, route: string, status: number, environmentId?: string): void {
  count(stats.calls, route, status);
  if (environmentId !== undefined) {
    const env = stats.environments[environmentId] ?? { calls: {} };
    stats.environments[environmentId] = env;
    count(env.calls, route, status);
  }
  const counter = ROUTE_COUNTERS[route as keyof typeof ROUTE_COUNTERS];
  if (counter) stats[counter]++;
  if (status === 429) stats.rateLimited++;
}

/** A deep copy, so a test's snapshot does not move under it. */
export function snapshotStats(stats: FakeMuxStats): FakeMuxStats {
  return structuredClone(stats);
}

/** Zeroes the counters in place (the object is shared by the fake's parts). */
export function resetStats(stats: FakeMuxStats): void {
  Object.assign(stats, emptyStats());
}
