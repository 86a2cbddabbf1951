/**
 * Which connections and syncs a webhook concerns, cached for a second. The webhook path runs
 * for every event Mux sends; reading the same few rows on each request was a large share of its
 * cost. A sync created in the last second on another process may miss a webhook: its own
 * initial pass lists the library anyway. In this process the connection verbs (create, update,
 * delete: a new connection, a re-pin, a rotated secret) and every write through `/v1` call
 * `invalidate()`, so the next webhook sees the change.
 */
import { asc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { connections, type SyncStatus, syncs } from "../db/schema";
import { type Clock, systemClock } from "../lib/clock";

export type RoutedSync = { id: string; sourcePath: string; status: SyncStatus };
type RoutedConnection = { id: string; environmentId: string | null };

const TTL_MS = 1_000;

/**
 * The connections one webhook on the unsuffixed route is checked against, at most. Each costs a
 * credentials lookup and HMACs, and the environment id that selects them is the sender's claim,
 * so a forged request must not reach every connection.
 */
export const MAX_WEBHOOK_CANDIDATES = 4;

/**
 * The candidates of every environment, computed once per read of the connections, so that a
 * webhook costs a lookup: those pinned to the environment, then the unpinned ones, oldest first.
 */
type Candidates = {
  ids: ReadonlySet<string>;
  byEnvironment: ReadonlyMap<string, readonly string[]>;
  /** For an environment no connection is pinned to. */
  unpinned: readonly string[];
  /** For a webhook without an environment id. */
  oldest: readonly string[];
};

export class WebhookRouting {
  private connectionsCache: { at: number; candidates: Promise<Candidates> } | null = null;
  private readonly syncsCache = new Map<string, { at: number; rows: Promise<RoutedSync[]> }>();

  // Real time, not the domain clock: this is about freshness of a cache, in wall-clock terms.
  constructor(
    private readonly database: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * The connections whose secrets may have signed a webhook of `environmentId`, oldest first and
   * at most `MAX_WEBHOOK_CANDIDATES`: the ones pinned to it, then the ones not pinned yet (a fresh
   * install, before a first pass or test pins them). Without an environment id (Mux always sends
   * one) the oldest connections, pinned or not.
   */
  async connectionsFor(environmentId: string | null): Promise<readonly string[]> {
    const candidates = await this.candidates();
    if (environmentId === null) return candidates.oldest;
    return candidates.byEnvironment.get(environmentId) ?? candidates.unpinned;
  }

  /** Whether a connection exists, from the same cached rows: a known and an unknown id cost alike. */
  async exists(connectionId: string): Promise<boolean> {
    return (await this.candidates()).ids.has(connectionId);
  }

  private candidates(): Promise<Candidates> {
    const now = this.clock.now();
    if (!this.connectionsCache || now - this.connectionsCache.at > TTL_MS) {
      const candidates = this.readConnections().then(candidatesOf);
      this.connectionsCache = { at: now, candidates };
      candidates.catch(() => this.invalidate());
    }
    return this.connectionsCache.candidates;
  }

  syncsOf(connectionId: string): Promise<RoutedSync[]> {
    const now = this.clock.now();
    const cached = this.syncsCache.get(connectionId);
    if (cached && now - cached.at <= TTL_MS) return cached.rows;
    const rows = this.readSyncs(connectionId);
    this.syncsCache.set(connectionId, { at: now, rows });
    rows.catch(() => this.invalidate());
    return rows;
  }

  private async readConnections(): Promise<RoutedConnection[]> {
    return this.database.db
      .select({ id: connections.id, environmentId: connections.environmentId })
      .from(connections)
      .orderBy(asc(connections.createdAt), asc(connections.id));
  }

  private async readSyncs(connectionId: string): Promise<RoutedSync[]> {
    return this.database.db
      .select({ id: syncs.id, sourcePath: syncs.sourcePath, status: syncs.status })
      .from(syncs)
      .where(eq(syncs.connectionId, connectionId));
  }

  invalidate(): void {
    this.connectionsCache = null;
    this.syncsCache.clear();
  }
}

function candidatesOf(rows: readonly RoutedConnection[]): Candidates {
  const unpinned = rows.filter((row) => row.environmentId === null).map((row) => row.id);
  const pinned = new Map<string, string[]>();
  for (const row of rows) {
    if (row.environmentId === null) continue;
    const list = pinned.get(row.environmentId);
    if (list) list.push(row.id);
    else pinned.set(row.environmentId, [row.id]);
  }
  const byEnvironment = new Map<string, readonly string[]>();
  for (const [environmentId, ids] of pinned)
    byEnvironment.set(environmentId, [...ids, ...unpinned].slice(0, MAX_WEBHOOK_CANDIDATES));
  return {
    ids: new Set(rows.map((row) => row.id)),
    byEnvironment,
    unpinned: unpinned.slice(0, MAX_WEBHOOK_CANDIDATES),
    oldest: rows.slice(0, MAX_WEBHOOK_CANDIDATES).map((row) => row.id),
  };
}
