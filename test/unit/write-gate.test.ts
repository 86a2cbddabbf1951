/**
 * The pause the WAL checkpointer asks of the grouped writes: held until released or for its
 * bound at most, and a held group commits nothing until then (its callers wait with it).
 */
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GroupCommitter } from "../../src/db/group-commit";
import { HeldWrites, MAX_WRITE_HOLD_MS, OPEN_GATE } from "../../src/db/write-gate";

afterEach(() => {
  vi.useRealTimers();
});

describe("write gate", () => {
  it("is open until held, and open again once released", async () => {
    const gate = new HeldWrites();
    expect(gate.whenOpen()).toBeNull();
    gate.hold();
    const waiting = gate.whenOpen();
    expect(waiting).toBeInstanceOf(Promise);
    gate.hold();
    expect(gate.whenOpen()).toBe(waiting);
    gate.release();
    await expect(waiting).resolves.toBeUndefined();
    expect(gate.whenOpen()).toBeNull();
  });

  it("holds for its bound at most", async () => {
    vi.useFakeTimers();
    const gate = new HeldWrites();
    gate.hold();
    const waiting = gate.whenOpen();
    let opened = false;
    void waiting?.then(() => {
      opened = true;
    });
    await vi.advanceTimersByTimeAsync(MAX_WRITE_HOLD_MS - 1);
    expect(opened).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(opened).toBe(true);
    expect(gate.whenOpen()).toBeNull();
  });

  it("is never held again once closed, and a close opens a hold in progress", async () => {
    const gate = new HeldWrites();
    gate.hold();
    const waiting = gate.whenOpen();
    gate.close();
    await expect(waiting).resolves.toBeUndefined();
    gate.hold();
    expect(gate.whenOpen()).toBeNull();
  });

  it("commits nothing while held, neither the waiting group nor callers arriving meanwhile", async () => {
    const sqlite = new Database(":memory:");
    sqlite.exec("create table t (id integer primary key)");
    const gate = new HeldWrites();
    const committer = new GroupCommitter(sqlite, gate);
    gate.hold();
    const first = committer.submit([sql`insert into t (id) values (1)`]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = committer.submit([sql`insert into t (id) values (2)`]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sqlite.prepare("select count(*) as n from t").get()).toEqual({ n: 0 });

    gate.release();
    await expect(Promise.all([first, second])).resolves.toEqual([[{ changed: true }], [{ changed: true }]]);
    expect(sqlite.prepare("select id from t order by id").all()).toEqual([{ id: 1 }, { id: 2 }]);
    sqlite.close();
  });

  it("is never held on a connection without a checkpointer", () => {
    expect(OPEN_GATE.whenOpen()).toBeNull();
  });
});
