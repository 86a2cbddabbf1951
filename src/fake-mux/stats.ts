/** The counters tests read: calls by route and status, faults served, webhooks, downloads. */
import type { FakeMuxStats } from "./types";

export function emptyStats(): FakeMuxStats {
  return {
    calls: {},
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
  };
}

/** The named routes whose totals get their own counter. */
const ROUTE_COUNTERS = {
  "GET /video/v1/assets": "listCalls",
  "GET /video/v1/assets/:id": "retrieveCalls",
  "GET /system/v1/whoami": "whoamiCalls",
} as const;

export function recordCall(stats: FakeMuxStats, route: string, status: number): void {
  const byStatus = stats.calls[route] ?? {};
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  stats.calls[route] = byStatus;
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
