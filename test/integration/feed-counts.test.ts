/**
 * What migration 0009 keeps by triggers, so that the change feed pages one index range and the
 * dashboard never counts a bucket: `objects.feed_seq` is always the object's latest history id,
 * and `object_counts` always equals counting the objects by bucket, state and reason, whatever
 * sequence of writes the tables see, and from the moment the migration backfills them.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER, openNodeDatabase } from "../../src/db/node";

const STATES = ["waiting_for_asset", "delivered", "skipped", "failed", "deleted"] as const;
const REASONS = [null, "filtered", "no_playback_id", "delivery_failed"] as const;
const BUCKETS = ["bkt_a", "bkt_b"] as const;

type Op =
  | { kind: "insert"; bucket: number; state: number; reason: number }
  | { kind: "update"; row: number; bucket: number; state: number; reason: number }
  | { kind: "history"; row: number }
  | { kind: "delete"; row: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), bucket: fc.nat(1), state: fc.nat(4), reason: fc.nat(3) }),
  fc.record({
    kind: fc.constant("update" as const),
    row: fc.nat(20),
    bucket: fc.nat(1),
    state: fc.nat(4),
    reason: fc.nat(3),
  }),
  fc.record({ kind: fc.constant("history" as const), row: fc.nat(20) }),
  fc.record({ kind: fc.constant("delete" as const), row: fc.nat(20) }),
);

function seedBuckets(db: BetterSqlite3.Database): void {
  for (const id of BUCKETS)
    db.prepare("INSERT OR IGNORE INTO buckets (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)").run(
      id,
      id,
    );
}

function apply(db: BetterSqlite3.Database, ops: Op[]): void {
  let next = 0;
  const pick = (row: number) =>
    (db.prepare("SELECT id FROM objects ORDER BY id LIMIT 1 OFFSET ?").get(row) as { id: string } | undefined)
      ?.id;
  const history = (id: string) =>
    db
      .prepare(
        "INSERT INTO object_history (object_id, state, at) SELECT id, state, 0 FROM objects WHERE id = ?",
      )
      .run(id);
  for (const o of ops) {
    if (o.kind === "insert") {
      const id = `obj_${String(next++).padStart(4, "0")}`;
      db.prepare(
        `INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, reason, write_token, discovered_via, state_changed_at, created_at, updated_at)
         VALUES (?, ?, 'syn', ?, ?, ?, 't', 'webhook', 0, 0, 0)`,
      ).run(id, BUCKETS[o.bucket], id, STATES[o.state], REASONS[o.reason]);
      history(id);
      continue;
    }
    const id = pick(o.row);
    if (!id) continue;
    if (o.kind === "update")
      db.prepare("UPDATE objects SET bucket_id = ?, state = ?, reason = ? WHERE id = ?").run(
        BUCKETS[o.bucket],
        STATES[o.state],
        REASONS[o.reason],
        id,
      );
    else if (o.kind === "history") history(id);
    else db.prepare("DELETE FROM objects WHERE id = ?").run(id);
  }
}

function expectKept(db: BetterSqlite3.Database): void {
  const counted = db
    .prepare(
      `SELECT bucket_id, state, COALESCE(reason, '') AS reason, COUNT(*) AS n FROM objects
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all();
  const kept = db
    .prepare("SELECT bucket_id, state, reason, n FROM object_counts WHERE n != 0 ORDER BY 1, 2, 3")
    .all();
  expect(kept).toEqual(counted);
  const stale = db
    .prepare(
      `SELECT id, feed_seq FROM objects o
       WHERE feed_seq IS NOT (SELECT MAX(h.id) FROM object_history h WHERE h.object_id = o.id)`,
    )
    .all();
  expect(stale).toEqual([]);
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("migration 0009's triggers", () => {
  it("keep object_counts equal to counting the objects, and feed_seq at each object's latest change", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const database = openNodeDatabase(":memory:");
        try {
          seedBuckets(database.sqlite);
          apply(database.sqlite, ops);
          expectKept(database.sqlite);
        } finally {
          database.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("are backfilled from the rows written before the migration", () => {
    // The migrations up to 0008 only, then rows, then the rest: what an upgrade does.
    const dir = mkdtempSync(join(tmpdir(), "mux-ingest-0009-"));
    dirs.push(dir);
    const older = join(dir, "migrations");
    cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalPath = join(older, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ idx: number }> };
    const upgrade = journal.entries.findIndex((e) => e.idx === 9);
    expect(upgrade).toBeGreaterThan(0);
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upgrade) }));
    const sqlite = new BetterSqlite3(join(dir, "db.sqlite"));
    try {
      migrate(drizzle({ client: sqlite }), { migrationsFolder: older });
      seedBuckets(sqlite);
      for (let i = 0; i < 12; i++) {
        sqlite
          .prepare(
            `INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, reason, write_token, discovered_via, state_changed_at, created_at, updated_at)
             VALUES (?, ?, 'syn', ?, ?, ?, 't', 'webhook', 0, 0, 0)`,
          )
          .run(`obj_${i}`, BUCKETS[i % 2], `a${i}`, STATES[i % 5], REASONS[i % 4]);
        for (let k = 0; k <= i % 3; k++)
          sqlite
            .prepare("INSERT INTO object_history (object_id, state, at) VALUES (?, 'ready', 0)")
            .run(`obj_${i}`);
      }
      migrate(drizzle({ client: sqlite }), { migrationsFolder: MIGRATIONS_FOLDER });
      expect(
        (sqlite.prepare("SELECT COUNT(*) AS n FROM object_counts").get() as { n: number }).n,
      ).toBeGreaterThan(0);
      expectKept(sqlite);
      apply(sqlite, [
        { kind: "update", row: 0, bucket: 1, state: 4, reason: 0 },
        { kind: "history", row: 3 },
      ]);
      expectKept(sqlite);
    } finally {
      sqlite.close();
    }
  });
});
