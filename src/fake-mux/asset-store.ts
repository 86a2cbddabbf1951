/**
 * The in-memory library: assets by id and by playback id, listed newest first with an opaque
 * cursor that stays stable while assets are added or deleted between pages.
 */
import type { AssetRecord } from "./asset-record";

type SortKey = { createdAtMs: number; seq: number };

/** Newest first; the later-created wins a tie within the same millisecond. */
function compareNewestFirst(a: SortKey, b: SortKey): number {
  return b.createdAtMs - a.createdAtMs || b.seq - a.seq;
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify({ created_at: key.createdAtMs, seq: key.seq })).toString("base64url");
}

export function decodeCursor(cursor: string): SortKey | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return null;
    const { created_at: createdAtMs, seq } = parsed as Record<string, unknown>;
    if (typeof createdAtMs !== "number" || typeof seq !== "number") return null;
    return { createdAtMs, seq };
  } catch {
    return null;
  }
}

export type AssetPage = { items: AssetRecord[]; nextCursor: string | null };

export class AssetStore {
  private readonly byId = new Map<string, AssetRecord>();
  private readonly byPlaybackId = new Map<string, AssetRecord>();
  private nextSeq = 1;
  /** Newest-first order, rebuilt only after an add or a remove (pagination reads it a lot). */
  private sorted: AssetRecord[] | null = null;

  allocateSeq(): number {
    return this.nextSeq++;
  }

  add(record: AssetRecord): void {
    if (this.byId.has(record.id)) throw new Error(`asset ${record.id} already exists`);
    this.byId.set(record.id, record);
    this.sorted = null;
    for (const p of record.playbackIds) this.byPlaybackId.set(p.id, record);
  }

  remove(id: string): AssetRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    this.byId.delete(id);
    this.sorted = null;
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

  all(): AssetRecord[] {
    this.sorted ??= [...this.byId.values()].sort(compareNewestFirst);
    return [...this.sorted];
  }

  clear(): void {
    this.byId.clear();
    this.sorted = null;
    this.byPlaybackId.clear();
  }

  /** One page after `after` (exclusive), or from the newest when `after` is null. */
  page(limit: number, after: SortKey | null, skip = 0): AssetPage {
    this.sorted ??= [...this.byId.values()].sort(compareNewestFirst);
    const sorted = this.sorted;
    const start = after ? sorted.findIndex((r) => compareNewestFirst(r, after) > 0) : 0;
    const from = (start === -1 ? sorted.length : start) + skip;
    const items = sorted.slice(from, from + limit);
    const last = items.at(-1);
    const more = from + limit < sorted.length;
    return { items, nextCursor: more && last ? encodeCursor(last) : null };
  }
}
