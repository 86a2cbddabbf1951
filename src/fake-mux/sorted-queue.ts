/**
 * A list kept in (dueAt, seq) order, so the next due item is found at the front instead of by
 * scanning: a benchmark can queue tens of thousands of webhooks or lifecycle steps.
 */
export type Due = { dueAt: number; seq: number };

const before = (a: Due, b: Due): boolean => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);

export class SortedQueue<T extends Due> {
  private items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const current = this.items[mid];
      if (current && before(current, item)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the earliest item that satisfies `eligible`. */
  takeFirst(eligible: (item: T) => boolean): T | undefined {
    const index = this.items.findIndex(eligible);
    return index === -1 ? undefined : this.items.splice(index, 1)[0];
  }

  removeWhere(predicate: (item: T) => boolean): void {
    this.items = this.items.filter((item) => !predicate(item));
  }

  clear(): void {
    this.items = [];
  }
}
