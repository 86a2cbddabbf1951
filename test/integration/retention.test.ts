/**
 * Retention (`src/sync/retention.ts`): what is pruned and what is kept over random histories,
 * batches bounded by their row count and their statement budget, every batch picked through an
 * index, and a database file that stops growing under a steady churn once retention is reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { ManualClock } from "../../src/lib/clock";
import { jsonLogger, Redactor } from "../../src/lib/logger";
import { MaintenanceLoop } from "../../src/node/maintenance";
import { pruneBatchStatement } from "../../src/queue/prune-finished";
import {
  DAY_MS,
  HISTORY_KEPT_PER_OBJECT,
  Retention,
  type RetentionPass,
  RUNS_KEPT_PER_SYNC,
  WALK_REST_MS,
} from "../../src/sync/retention";

const T0 = 1_767_225_600_000;
const RETENTION_MS = 10 * DAY_MS;
const SETTLED = ["delivered", "superseded", "failed"];
const UNLIMITED = { statements: 1_000_000, ms: 1_000_000 };

const opened: NodeDatabase[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(path = ":memory:"): NodeDatabase {
  const database = openNodeDatabase(path);
  opened.push(database);
  const db = database.sqlite;
  db.prepare("INSERT INTO buckets (id, name, created_at, updated_at) VALUES ('bkt', 'b', 0, 0)").run();
  db.prepare(`INSERT INTO connections (id, name, access_token_id, access_token_secret, created_at, updated_at)
              VALUES ('con', 'c', 't', 's', 0, 0)`).run();
  for (const sync of ["s1", "s2"])
    db.prepare(
      "INSERT INTO syncs (id, bucket_id, connection_id, created_at, updated_at) VALUES (?, 'bkt', 'con', 0, 0)",
    ).run(sync);
  return database;
}

/** The database with every statement retention runs recorded (to check their plans). */
function recording(database: NodeDatabase): { database: Database; statements: SQL[] } {
  const statements: SQL[] = [];
  const db = new Proxy(database.db, {
    get(target, property, receiver) {
      if (property === "all")
        return (query: SQL) => {
          statements.push(query);
          return target.all(query);
        };
      return Reflect.get(target, property, receiver);
    },
  });
  return {
    database: {
      db,
      atomic: (s) => database.atomic(s),
      ping: () => database.ping(),
      close: () => database.close(),
    },
    statements,
  };
}

function retentionOver(database: Database, clock: ManualClock, batchRows?: number): Retention {
  return new Retention({ database, clock, retention: { retentionMs: RETENTION_MS } }, batchRows);
}

/** Calls until a call reports nothing left (each call within `budget`), at most `limit` calls. */
async function pruneAll(retention: Retention, budget = UNLIMITED, limit = 10_000): Promise<RetentionPass[]> {
  const passes: RetentionPass[] = [];
  for (let i = 0; i < limit; i++) {
    const pass = await retention.prune(budget);
    passes.push(pass);
    if (pass.finished) return passes;
  }
  throw new Error("retention never finished");
}

type Seed = {
  events: number[];
  /** Per object: its history rows' ages (ms before now), oldest first. */
  history: number[][];
  /** Per object: its deliveries in version order (age, status). */
  deliveries: Array<Array<{ age: number; status: string }>>;
  /** Per sync: its runs (age, status). */
  runs: Array<Array<{ age: number; status: string }>>;
};

const age = fc.integer({ min: 0, max: 3 * RETENTION_MS });
const ages = (max: number) => fc.array(age, { maxLength: max }).map((a) => a.sort((x, y) => y - x));
const seedArbitrary: fc.Arbitrary<Seed> = fc.record({
  events: fc.array(age, { maxLength: 40 }),
  history: fc.array(ages(HISTORY_KEPT_PER_OBJECT + 15), { maxLength: 5 }),
  deliveries: fc.array(
    ages(6).chain((list) =>
      fc
        .tuple(...list.map(() => fc.constantFrom("pending", "delivered", "superseded", "failed")))
        .map((statuses) => list.map((a, i) => ({ age: a, status: statuses[i] ?? "pending" }))),
    ),
    { maxLength: 6 },
  ),
  runs: fc.tuple(
    ...[0, 1].map(() =>
      fc.array(fc.record({ age, status: fc.constantFrom("queued", "running", "succeeded", "failed") }), {
        maxLength: RUNS_KEPT_PER_SYNC + 30,
      }),
    ),
  ),
});

function seed(database: NodeDatabase, now: number, s: Seed): void {
  const db = database.sqlite;
  const event = db.prepare(`INSERT INTO webhook_events (id, connection_id, type, outcome, nonce, received_at)
                            VALUES (?, 'con', 'video.asset.ready', 'enqueued', 'n', ?)`);
  const history = db.prepare("INSERT INTO object_history (object_id, state, at) VALUES (?, 'ready', ?)");
  const object =
    db.prepare(`INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, write_token, discovered_via,
                               state_changed_at, created_at, updated_at)
                             VALUES (?, 'bkt', 's1', ?, 'ready', 'w', 'poll', 0, 0, 0)`);
  const delivery =
    db.prepare(`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, payload,
                                 created_at) VALUES (?, ?, 'bkt', 'object.ready', ?, ?, '{"body":1}', ?)`);
  const run = db.prepare(
    "INSERT INTO runs (id, sync_id, kind, status, started_at) VALUES (?, ?, 'scheduled', ?, ?)",
  );
  db.transaction(() => {
    for (const [i, a] of s.events.entries()) event.run(`evt${i}`, now - a);
    for (const [o, rows] of s.history.entries()) for (const a of rows) history.run(`obj${o}`, now - a);
    for (const [o, rows] of s.deliveries.entries()) {
      object.run(`obj${o}`, `asset${o}`);
      for (const [v, d] of rows.entries())
        delivery.run(`obj${o}.v${v + 1}`, `obj${o}`, v + 1, d.status, now - d.age);
    }
    for (const [i, rows] of s.runs.entries())
      for (const [n, r] of rows.entries()) run.run(`run${i}_${n}`, `s${i + 1}`, r.status, now - r.age);
  })();
}

const ids = (database: NodeDatabase, query: string): string[] =>
  (database.sqlite.prepare(query).all() as Array<{ id: string | number }>).map((r) => String(r.id)).sort();

describe("retention", () => {
  it("prunes exactly what is old and not needed, and keeps the rest, over random histories", async () => {
    await fc.assert(
      fc.asyncProperty(seedArbitrary, fc.integer({ min: 1, max: 7 }), async (s, batchRows) => {
        const clock = new ManualClock(T0);
        const database = open();
        seed(database, T0, s);
        const cutoff = T0 - RETENTION_MS;
        const objectsBefore = database.sqlite.prepare("SELECT * FROM objects ORDER BY id").all();

        // The model: what must remain, computed from the seed alone.
        const events = s.events.flatMap((a, i) => (T0 - a >= cutoff ? [`evt${i}`] : []));
        const history = s.history.flatMap((rows, o) =>
          rows.flatMap((a, i) =>
            T0 - a >= cutoff || rows.length - i <= HISTORY_KEPT_PER_OBJECT ? [[o, a]] : [],
          ),
        );
        const deliveries = s.deliveries.flatMap((rows, o) =>
          rows.flatMap((d, v) =>
            T0 - d.age >= cutoff || !SETTLED.includes(d.status) || v === rows.length - 1
              ? [`obj${o}.v${v + 1}`]
              : [],
          ),
        );
        const payloads = s.deliveries.flatMap((rows, o) =>
          rows.flatMap((d, v) =>
            T0 - d.age >= cutoff || !SETTLED.includes(d.status) ? [`obj${o}.v${v + 1}`] : [],
          ),
        );
        const runs = s.runs.flatMap((rows, i) => {
          const starts = rows.map((r) => T0 - r.age).sort((x, y) => y - x);
          const nth = starts[RUNS_KEPT_PER_SYNC - 1];
          return rows.flatMap((r, n) => {
            const started = T0 - r.age;
            const pruned =
              ["succeeded", "failed"].includes(r.status) &&
              started < cutoff &&
              nth !== undefined &&
              started < nth;
            return pruned ? [] : [`run${i}_${n}`];
          });
        });

        await pruneAll(retentionOver(database, clock, batchRows), { statements: 5, ms: 1_000_000 });

        expect(ids(database, "SELECT id FROM webhook_events")).toEqual([...events].sort());
        expect(ids(database, "SELECT id FROM deliveries")).toEqual([...deliveries].sort());
        expect(ids(database, "SELECT id FROM deliveries WHERE payload IS NOT NULL")).toEqual(
          [...payloads].filter((id) => deliveries.includes(id)).sort(),
        );
        const keptHistory = database.sqlite
          .prepare("SELECT object_id, at FROM object_history ORDER BY object_id, at")
          .all() as Array<{ object_id: string; at: number }>;
        expect(keptHistory.map((r) => `${r.object_id}@${r.at}`).sort()).toEqual(
          history.map(([o, a]) => `obj${o}@${T0 - (a ?? 0)}`).sort(),
        );
        expect(ids(database, "SELECT id FROM runs")).toEqual([...runs].sort());
        expect(database.sqlite.prepare("SELECT * FROM objects ORDER BY id").all()).toEqual(objectsBefore);
        database.close();
        opened.splice(opened.indexOf(database), 1);
      }),
      { numRuns: 40 },
    );
  });

  it("carries on where the last call stopped even when every call is a new instance (a new Worker isolate)", async () => {
    const clock = new ManualClock(T0);
    const database = open();
    // Deep in the walk: an object's rows beyond its last 20, below 200 rows it keeps.
    seed(database, T0, {
      events: [],
      history: [
        ...Array.from({ length: 10 }, () => Array.from({ length: 20 }, () => 2 * RETENTION_MS)),
        Array.from({ length: 30 }, (_, i) => 3 * RETENTION_MS - i),
      ],
      deliveries: [],
      runs: [[], []],
    });
    const historyRows = () =>
      (database.sqlite.prepare("SELECT COUNT(*) AS n FROM object_history").get() as { n: number }).n;
    // Each call reads one window of 25 rows: a walk that restarted at the top every call would
    // read the same kept rows for ever and never reach the deep ones.
    for (let call = 0; call < 40 && historyRows() > 220; call++)
      await retentionOver(database, clock, 25).prune({ statements: 4, ms: 1_000_000 });
    expect(historyRows()).toBe(10 * 20 + HISTORY_KEPT_PER_OBJECT);
  });

  it("never takes more than its batch of rows per statement, nor more statements than its budget", async () => {
    const clock = new ManualClock(T0);
    const database = open();
    seed(database, T0, {
      events: Array.from({ length: 120 }, () => 2 * RETENTION_MS),
      history: [Array.from({ length: 120 }, () => 2 * RETENTION_MS)],
      deliveries: [Array.from({ length: 120 }, () => ({ age: 2 * RETENTION_MS, status: "delivered" }))],
      runs: [Array.from({ length: 250 }, (_, i) => ({ age: 2 * RETENTION_MS + i, status: "succeeded" })), []],
    });
    const retention = retentionOver(database, clock, 25);

    // Three statements: reading where the walks stand, one batch of webhook events, writing back.
    const first = await retention.prune({ statements: 3, ms: 1_000_000 });
    expect(first).toMatchObject({ statements: 3, finished: false });
    expect(first.pruned.webhookEvents).toBe(25);

    const passes = await pruneAll(retention, { statements: 5, ms: 1_000_000 });
    for (const pass of passes) {
      expect(pass.statements).toBeLessThanOrEqual(5);
      // A window reads at most 25 rows: what it deletes and what it keeps together stay under it.
      expect(pass.pruned.deliveries + pass.pruned.deliveryPayloads).toBeLessThanOrEqual(3 * 25);
      expect(pass.pruned.objectHistory).toBeLessThanOrEqual(3 * 25);
      expect(pass.pruned.webhookEvents).toBeLessThanOrEqual(3 * 25);
      expect(pass.pruned.runs).toBeLessThanOrEqual(3 * 25);
    }
    const total = (key: keyof RetentionPass["pruned"]) =>
      [first, ...passes].reduce((sum, pass) => sum + pass.pruned[key], 0);
    expect(total("webhookEvents")).toBe(120);
    expect(total("deliveries")).toBe(119);
    expect(total("deliveryPayloads")).toBe(1);
    expect(total("objectHistory")).toBe(120 - HISTORY_KEPT_PER_OBJECT);
    expect(total("runs")).toBe(250 - RUNS_KEPT_PER_SYNC);
  });

  it("picks every batch through an index, never a scan of a table that grows", async () => {
    const clock = new ManualClock(T0);
    const database = open();
    seed(database, T0, {
      events: [2 * RETENTION_MS],
      history: [[2 * RETENTION_MS, 0]],
      deliveries: [
        [
          { age: 2 * RETENTION_MS, status: "delivered" },
          { age: 0, status: "pending" },
        ],
      ],
      runs: [[{ age: 2 * RETENTION_MS, status: "succeeded" }], []],
    });
    const recorded = recording(database);
    await pruneAll(retentionOver(recorded.database, clock, 1));
    const dialect = new SQLiteSyncDialect();
    const statements = [...recorded.statements, pruneBatchStatement("default", T0, 500)];
    expect(statements.length).toBeGreaterThan(8);
    for (const statement of statements) {
      const query = dialect.sqlToQuery(statement);
      const plan = (
        database.sqlite.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as Array<{
          detail: string;
        }>
      ).map((row) => row.detail);
      // The syncs are a handful of rows, read whole once per call.
      const scans = plan.filter((line) => line.startsWith("SCAN") && !line.startsWith("SCAN syncs"));
      expect({ sql: query.sql, scans }).toEqual({ sql: query.sql, scans: [] });
      expect(plan.join("\n")).not.toContain("TEMP B-TREE");
    }
  });

  it("lets a walk that reached the oldest row rest, then starts it again from the newer cutoff", async () => {
    const clock = new ManualClock(T0);
    const database = open();
    const young = RETENTION_MS - 60_000;
    const versions = [
      { age: young, status: "delivered" },
      { age: young, status: "delivered" },
    ];
    seed(database, T0, { events: [], history: [], deliveries: [versions], runs: [[], []] });
    const retention = retentionOver(database, clock);
    await pruneAll(retention);
    // Both are now older than retention, but the walk that read the oldest row rests.
    clock.advance(2 * 60_000);
    expect((await retention.prune(UNLIMITED)).pruned.deliveries).toBe(0);
    clock.advance(WALK_REST_MS);
    expect((await retention.prune(UNLIMITED)).pruned).toMatchObject({ deliveries: 1, deliveryPayloads: 1 });
    expect(ids(database, "SELECT id FROM deliveries")).toEqual(["obj0.v2"]);
  });

  it("runs on Node from the maintenance loop, a bounded call per tick, and survives a failed tick", async () => {
    const clock = new ManualClock(T0);
    const database = open();
    seed(database, T0, {
      events: Array.from({ length: 30 }, () => 2 * RETENTION_MS),
      history: [],
      deliveries: [],
      runs: [[], []],
    });
    const lines: string[] = [];
    const logger = jsonLogger({
      level: "debug",
      redactor: new Redactor(),
      write: (line) => lines.push(line),
    });
    const loop = new MaintenanceLoop({ logger }, retentionOver(database, clock, 10), {
      budget: { statements: 4, ms: 1_000 },
    });
    const pass = await loop.tick();
    expect(pass).toMatchObject({ statements: 4, finished: false });
    expect(pass?.pruned.webhookEvents).toBe(20);
    // A tick that fails (the database closed under it) is logged; the loop lives on.
    database.close();
    opened.splice(opened.indexOf(database), 1);
    expect(await loop.tick()).toBeNull();
    expect(lines.some((line) => line.includes("Retention tick failed"))).toBe(true);
  });

  it("keeps the database file from growing once retention is reached (free pages are reused)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retention-"));
    dirs.push(dir);
    const database = open(join(dir, "churn.db"));
    const clock = new ManualClock(T0);
    const retention = retentionOver(database, clock, 200);
    const db = database.sqlite;
    const pages: number[] = [];
    const objectsInPool = 50;
    const versions = new Map<number, number>();
    const event =
      db.prepare(`INSERT INTO webhook_events (id, connection_id, type, outcome, nonce, received_at)
                              VALUES (?, 'con', 'video.asset.updated', 'enqueued', 'n', ?)`);
    const settle = db.prepare(
      "UPDATE deliveries SET status = 'delivered' WHERE object_id = ? AND status = 'pending'",
    );
    const delivery =
      db.prepare(`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, payload,
                                   created_at) VALUES (?, ?, 'bkt', 'object.updated', ?, 'pending', ?, ?)`);
    const history = db.prepare(
      "INSERT INTO object_history (object_id, state, message, at) VALUES (?, 'ready', ?, ?)",
    );
    const run = db.prepare(
      "INSERT INTO runs (id, sync_id, kind, status, started_at) VALUES (?, 's1', 'scheduled', 'succeeded', ?)",
    );
    const body = JSON.stringify({ body: "x".repeat(400) });
    for (let day = 0; day < 40; day++) {
      const insert = db.transaction(() => {
        for (let i = 0; i < 300; i++) {
          const now = clock.now() + i;
          event.run(`evt${day}_${i}`, now);
          const o = (day * 300 + i) % objectsInPool;
          const v = (versions.get(o) ?? 0) + 1;
          versions.set(o, v);
          // The previous version was sent; the new one is on its way.
          settle.run(`obj${o}`);
          delivery.run(`obj${o}.v${v}`, `obj${o}`, v, body, now);
          history.run(`obj${o}`, "y".repeat(100), now);
          if (i % 10 === 0) run.run(`run${day}_${i}`, now);
        }
      });
      insert();
      clock.advance(DAY_MS);
      await pruneAll(retention, { statements: 50, ms: 1_000_000 });
      db.pragma("wal_checkpoint(TRUNCATE)");
      pages.push(db.pragma("page_count", { simple: true }) as number);
    }
    const reached = pages[15] ?? 0;
    // It grew while history accumulated, then stopped: the last 20 days add nothing to the file.
    expect(reached).toBeGreaterThan(2 * (pages[3] ?? 0));
    expect(Math.max(...pages.slice(20))).toBeLessThanOrEqual(Math.ceil(reached * 1.05));
    // What remains is what retention keeps: about ten days of events.
    const events = db.prepare("SELECT COUNT(*) AS n FROM webhook_events").get() as { n: number };
    expect(events.n).toBeLessThanOrEqual(11 * 300);
  });
});
