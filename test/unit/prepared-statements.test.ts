import { sql } from "drizzle-orm";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { drizzleClient, PreparedStatements } from "../../src/db/prepared-statements";

const items = sqliteTable("items", { id: text("id").primaryKey() });

let database: NodeDatabase;
beforeEach(() => {
  database = openNodeDatabase(":memory:");
});
afterEach(() => database.close());

describe("prepared statements kept by their text", () => {
  it("prepares a text once and answers the same statement after", () => {
    const prepare = vi.spyOn(database.sqlite, "prepare");
    const statements = new PreparedStatements(database.sqlite);
    const first = statements.get("select 1 as n");
    expect(statements.get("select 1 as n")).toBe(first);
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it("keeps at most its bound, dropping the least recently used text", () => {
    const statements = new PreparedStatements(database.sqlite, 2);
    const one = statements.get("select 1");
    statements.get("select 2");
    expect(statements.get("select 1")).toBe(one); // now the most recent
    statements.get("select 3"); // drops "select 2"
    expect(statements.size).toBe(2);
    expect(statements.get("select 1")).toBe(one);
    const prepare = vi.spyOn(database.sqlite, "prepare");
    statements.get("select 2");
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it("does not carry one query's raw mode into a plain read of the same text", () => {
    const client = drizzleClient(database.sqlite, new PreparedStatements(database.sqlite));
    expect(client.prepare("select 1 as n").raw().all()).toEqual([[1]]);
    expect(client.prepare("select 1 as n").all()).toEqual([{ n: 1 }]);
    expect(client.prepare("select 1 as n").raw().get()).toEqual([1]);
    expect(client.prepare("select 1 as n").get()).toEqual({ n: 1 });
    // Statements that return no rows have no raw mode; they run as they are.
    expect(client.prepare("create table t (id integer)").run().changes).toBe(0);
  });

  it("serves drizzle: a mapped select and a plain query of the same text each get their own shape", async () => {
    database.sqlite.exec("create table items (id text primary key); insert into items values ('a')");
    const prepare = vi.spyOn(database.sqlite, "prepare");
    for (let i = 0; i < 3; i++) {
      // drizzle maps this one itself, through raw mode.
      expect(await database.db.select({ id: items.id }).from(items)).toEqual([{ id: "a" }]);
      // The same text as a plain query: rows as objects.
      expect(await database.db.all(sql.raw(`select "id" from "items"`))).toEqual([{ id: "a" }]);
    }
    expect(prepare).toHaveBeenCalledTimes(1);
  });
});
