import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type SQL, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { plainQuery } from "../../src/db/group-commit";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
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
      store.enqueueStatement(request, { onlyIf: sql`EXISTS (SELECT ${"n"})`, unlessActive: true }),
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
