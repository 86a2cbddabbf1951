import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type SQL, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_GROUP_MEMBERS, MAX_GROUP_STATEMENTS } from "../../src/db/group-commit";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { plainQuery } from "../../src/db/statement-shapes";
import { ManualClock } from "../../src/lib/clock";
import { JobStore } from "../../src/queue/job-store";
import { jobs } from "../../src/queue/tables";

let database: NodeDatabase;
beforeEach(() => {
  database = openNodeDatabase(":memory:", { migrate: false });
  database.sqlite.exec("create table t (id integer primary key, v text not null)");
});
afterEach(() => database.close());

const rows = () => database.sqlite.prepare("select id, v from t order by id").all();

describe("group commit", () => {
  it("commits concurrent atomic calls together, each with its own results", async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        database.atomic([sql`insert into t (id, v) values (${i}, ${`v${i}`})`]),
      ),
    );
    expect(results).toEqual(Array.from({ length: 5 }, () => [{ changed: true }]));
    expect(rows()).toHaveLength(5);
  });

  it("commits at most MAX_GROUP_MEMBERS callers in one turn; the rest, in order, in the next", async () => {
    const order: number[] = [];
    const all = Array.from({ length: MAX_GROUP_MEMBERS * 2 + 3 }, (_, i) =>
      database.atomic([sql`insert into t (id, v) values (${i}, 'x')`]).then(() => order.push(i)),
    );
    // Queued after the group's own turn began: it runs once that turn's callers have settled.
    const settledInFirstTurn = new Promise<number>((resolve) => setImmediate(() => resolve(order.length)));
    expect(await settledInFirstTurn).toBe(MAX_GROUP_MEMBERS);
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: MAX_GROUP_MEMBERS * 2 + 3 }, (_, i) => i));
    expect(rows()).toHaveLength(MAX_GROUP_MEMBERS * 2 + 3);
  });

  it("commits callers up to MAX_GROUP_STATEMENTS in one turn, and a larger caller alone", async () => {
    const size = Math.floor(MAX_GROUP_STATEMENTS / 2);
    const member = (m: number, n: number) =>
      database.atomic(
        Array.from({ length: n }, (_, i) => sql`insert into t (id, v) values (${m * 10_000 + i}, 'x')`),
      );
    const settled: number[] = [];
    const calls = [
      member(0, MAX_GROUP_STATEMENTS * 2),
      member(1, size),
      member(2, size),
      member(3, size),
    ].map((call, i) => call.then(() => settled.push(i)));
    const turns: number[][] = [];
    const watch = () =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          turns.push([...settled]);
          resolve();
        }),
      );
    for (let i = 0; i < 3; i++) await watch();
    await Promise.all(calls);
    expect(turns).toEqual([[0], [0, 1, 2], [0, 1, 2, 3]]);
    expect(rows()).toHaveLength(MAX_GROUP_STATEMENTS * 2 + 3 * size);
  });

  it("rolls back only the member that failed, and tells only that caller", async () => {
    const ok1 = database.atomic([
      sql`insert into t (id, v) values (1, 'a')`,
      sql`insert into t (id, v) values (2, 'b')`,
    ]);
    // Second statement violates NOT NULL: the first statement of this member must be undone too.
    const bad = database.atomic([
      sql`insert into t (id, v) values (3, 'c')`,
      sql`insert into t (id, v) values (4, ${null})`,
    ]);
    const ok2 = database.atomic([sql`insert into t (id, v) values (5, 'e')`]);
    await expect(ok1).resolves.toEqual([{ changed: true }, { changed: true }]);
    await expect(bad).rejects.toThrow(/NOT NULL/);
    await expect(ok2).resolves.toEqual([{ changed: true }]);
    expect(rows()).toEqual([
      { id: 1, v: "a" },
      { id: 2, v: "b" },
      { id: 5, v: "e" },
    ]);
  });

  it("runs a group in which nothing fails once, and again member by member only when one fails", async () => {
    // A SQL function with a side effect: it counts how often the statements ran.
    let runs = 0;
    database.sqlite.function("counted", { deterministic: false }, (v: unknown) => {
      runs++;
      return v;
    });
    const insert = (id: number, v: string | null) => sql`insert into t (id, v) values (${id}, counted(${v}))`;
    await Promise.all([database.atomic([insert(1, "a")]), database.atomic([insert(2, "b")])]);
    expect(runs).toBe(2);

    runs = 0;
    const first = database.atomic([insert(3, "c")]);
    const bad = database.atomic([insert(4, null)]);
    const last = database.atomic([insert(5, "e")]);
    await expect(first).resolves.toEqual([{ changed: true }]);
    await expect(bad).rejects.toThrow(/NOT NULL/);
    await expect(last).resolves.toEqual([{ changed: true }]);
    // Together up to the failure (3, 4), then each member in its own savepoint (3, 4, 5).
    expect(runs).toBe(5);
    expect(rows().map((row) => (row as { id: number }).id)).toEqual([1, 2, 3, 5]);
  });

  it("gives each member of a group run again the results it would have had the first time", async () => {
    // The first run is rolled back whole: the second insert of id 1 still finds the first one.
    const inserted = database.atomic([sql`insert into t (id, v) values (1, 'a') on conflict do nothing`]);
    const bad = database.atomic([sql`insert into t (id, v) values (2, ${null})`]);
    const again = database.atomic([sql`insert into t (id, v) values (1, 'b') on conflict do nothing`]);
    await expect(inserted).resolves.toEqual([{ changed: true }]);
    await expect(bad).rejects.toThrow(/NOT NULL/);
    await expect(again).resolves.toEqual([{ changed: false }]);
    expect(rows()).toEqual([{ id: 1, v: "a" }]);
  });

  it("rejects a lone member whose statements fail, leaving none of them written", async () => {
    await expect(
      database.atomic([
        sql`insert into t (id, v) values (1, 'a')`,
        sql`insert into t (id, v) values (2, ${null})`,
      ]),
    ).rejects.toThrow(/NOT NULL/);
    expect(rows()).toEqual([]);
    await expect(database.atomic([sql`insert into t (id, v) values (1, 'a')`])).resolves.toEqual([
      { changed: true },
    ]);
  });

  it("rejects every member when the shared COMMIT fails", async () => {
    // A deferred foreign key is checked at COMMIT: the violation is the whole group's.
    database.sqlite.exec(
      "create table parent (id integer primary key); create table child (id integer primary key, parent integer references parent (id) deferrable initially deferred)",
    );
    const good = database.atomic([sql`insert into t (id, v) values (1, 'a')`]);
    const orphan = database.atomic([sql`insert into child (id, parent) values (1, 99)`]);
    await expect(good).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(rows()).toEqual([]);
  });

  it("settles a caller only once its write is committed and visible to another connection", async () => {
    const dir = mkdtempSync(join(tmpdir(), "group-commit-"));
    const writer = openNodeDatabase(join(dir, "db.sqlite"), { migrate: false });
    writer.sqlite.exec("create table t (id integer primary key, v text not null)");
    const reader = new Database(join(dir, "db.sqlite"), { readonly: true });
    try {
      const pending = writer.atomic([sql`insert into t (id, v) values (7, 'x')`]);
      // Not yet flushed: the group waits for the end of this turn of the event loop.
      expect(reader.prepare("select count(*) as n from t").get()).toEqual({ n: 0 });
      await pending;
      expect(reader.prepare("select v from t where id = 7").get()).toEqual({ v: "x" });
    } finally {
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("group commit's own compilation of plain sql templates", () => {
  const dialect = new SQLiteSyncDialect();
  const store = new JobStore(openNodeDatabase(":memory:", { migrate: false }), new ManualClock(1_000));
  const request = { type: "ingest", key: "ingest:sync_1:asset'1", payload: { a: 1, b: "x" } };
  const plain: Array<[string, SQL]> = [
    [
      "the webhook's event row",
      sql`INSERT INTO webhook_events (id, received_at, asset_id) VALUES (${"evt"}, ${17}, ${null})`,
    ],
    [
      "an enqueue with a nested condition",
      store.enqueueStatement(request, { onlyIf: sql`EXISTS (SELECT ${"n"})`, unlessActive: true }).getSQL(),
    ],
    [
      "a deletion by keys (sql.join)",
      store.deleteStatement({ type: "ingest", keys: ["a", "b'c"], keyPrefix: "ingest:" }),
    ],
    ["raw text and a bigint", sql`SELECT ${sql.raw("(lease_id || ':' || updated_at)")}, ${2n ** 40n}`],
    ["an empty part", sql`SELECT 1 ${sql.empty()}${undefined}`],
  ];

  it.each(plain)("gives drizzle's text and parameters for %s", (_name, statement) => {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    expect(plainQuery(statement)).toEqual({ sql: text, params });
  });

  it.each([
    ["a table", sql`SELECT * FROM ${jobs}`],
    ["a column", sql`SELECT ${jobs.id} FROM jobs`],
    ["an array", sql`SELECT 1 WHERE 2 IN ${[1, 2]}`],
    ["a boolean", sql`SELECT ${true}`],
    ["inlined parameters", sql`SELECT ${"x"}`.inlineParams()],
  ])("leaves %s to drizzle", (_name, statement) => {
    expect(plainQuery(statement)).toBeNull();
  });

  it("still runs what it leaves to drizzle", async () => {
    await expect(
      database.atomic([sql`insert into t (id, v) values (${1}, ${sql`${"a"}`.inlineParams()})`]),
    ).resolves.toEqual([{ changed: true }]);
    expect(rows()).toEqual([{ id: 1, v: "a" }]);
  });
});
