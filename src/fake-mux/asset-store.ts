/**
 * The in-memory library of one environment: assets by id and by playback id, sorted for the
 * listing (see listing.ts for the orders and cursors).
 */
import type { AssetRecord } from "./asset-record";
import { type AssetPage, type Cursor, comparatorFor, DEFAULT_LISTING, type Listing, pageOf } from "./listing";

export class AssetStore {
  private readonly byId = new Map<string, AssetRecord>();
  private readonly byPlaybackId = new Map<string, AssetRecord>();
  private nextSeq = 1;
  /** Each order asked for, rebuilt only after an add or a remove (pagination reads it a lot). */
  private readonly sorted = new Map<string, AssetRecord[]>();

  allocateSeq(): number {
    return this.nextSeq++;
  }

  add(record: AssetRecord): void {
    if (this.byId.has(record.id)) throw new Error(`asset ${record.id} already exists`);
    this.byId.set(record.id, record);
    this.sorted.clear();
    for (const p of record.playbackIds) this.byPlaybackId.set(p.id, record);
  }

  remove(id: string): AssetRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    this.byId.delete(id);
    this.sorted.clear();
    for (const p of record.playbackIds) this.byPlaybackId.delete(p.id);
    return record;
  }

  /** Whether an asset or playback id is in use. */
  has(id: string): boolean {
    return this.byId.has(id) || this.byPlaybackId.has(id);
  }

  get(id: string): AssetRecord | undefined {
    return this.byId.get(id);
  }

  byPlayback(
    playbackId: string,
  ): { record: AssetRecord; policy: AssetRecord["playbackIds"][number]["policy"] } | undefined {
    const record = this.byPlaybackId.get(playbackId);
    const entry = record?.playbackIds.find((p) => p.id === playbackId);
    return record && entry ? { record, policy: entry.policy } : undefined;
  }

  size(): number {
    return this.byId.size;
  }

  /** Every asset, newest first (the fake's own view, whatever the listing order). */
  all(): AssetRecord[] {
    return [...this.sortedBy(DEFAULT_LISTING)];
  }

  private sortedBy(listing: Listing): AssetRecord[] {
    const key = listing.order === "shuffled" ? `shuffled:${listing.shuffleSeed}` : listing.order;
    let sorted = this.sorted.get(key);
    if (!sorted) {
      sorted = [...this.byId.values()].sort(comparatorFor(listing));
      this.sorted.set(key, sorted);
    }
    return sorted;
  }

  clear(): void {
    this.byId.clear();
    this.sorted.clear();
    this.byPlaybackId.clear();
  }

  /** One page in `listing`'s order (see `pageOf`). */
  page(listing: Listing, limit: number, cursor: Cursor | null, skip = 0): AssetPage {
    return pageOf(this.sortedBy(listing), listing, limit, cursor, skip);
  }
}
