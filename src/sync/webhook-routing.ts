/**
 * Which connections and syncs a webhook concerns, cached for a second. The webhook path runs
 * for every event Mux sends; reading the same few rows on each request was a large share of its
 * cost. A sync created in the last second on another process may miss a webhook: its own
 * initial pass lists the library anyway. Local writes call `invalidate()`.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { connections, type SyncStatus, syncs } from "../db/schema";
import { type Clock, systemClock } from "../lib/clock";

export type RoutedSync = { id: string; sourcePath: string; status: SyncStatus };

const TTL_MS = 1_000;

export class WebhookRouting {
  private connectionIdsCache: { at: number; ids: Promise<string[]> } | null = null;
  private readonly syncsCache = new Map<string, { at: number; rows: Promise<RoutedSync[]> }>();

  // Real time, not the domain clock: this is about freshness of a cache, in wall-clock terms.
  constructor(
    private readonly database: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  connectionIds(): Promise<string[]> {
    const now = this.clock.now();
    if (!this.connectionIdsCache || now - this.connectionIdsCache.at > TTL_MS) {
      const ids = this.readConnectionIds();
      this.connectionIdsCache = { at: now, ids };
      ids.catch(() => this.invalidate());
    }
    return this.connectionIdsCache.ids;
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

  private async readConnectionIds(): Promise<string[]> {
    const rows = await this.database.db.select({ id: connections.id }).from(connections);
    return rows.map((row) => row.id);
  }

  private async readSyncs(connectionId: string): Promise<RoutedSync[]> {
    return this.database.db
      .select({ id: syncs.id, sourcePath: syncs.sourcePath, status: syncs.status })
      .from(syncs)
      .where(eq(syncs.connectionId, connectionId));
  }

  invalidate(): void {
    this.connectionIdsCache = null;
    this.syncsCache.clear();
  }
}
