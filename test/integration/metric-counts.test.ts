/**
 * The counts `/metrics` reads are kept by triggers (migrations 0006 and 0009): whatever sequence
 * of inserts, state changes and deletions the tables see, each count row equals what counting the
 * table would give. (The scrape's statements, as executed, are held to their plans in
 * `query-plans.test.ts`.)
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { readMetricsSnapshot } from "../../src/metrics/snapshot";
import { createHarness, type Harness } from "../helpers/harness";

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

const STATES = ["waiting_for_asset", "ready", "delivered", "skipped", "deleted"] as const;
const STATUSES = ["pending", "delivered", "failed", "superseded"] as const;
const RUN_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
const JOB_STATUSES = ["pending", "running", "done", "dead"] as const;

type Op =
  | { table: "objects" | "deliveries" | "runs" | "jobs"; kind: "insert"; value: number; extra: number }
  | {
      table: "objects" | "deliveries" | "runs" | "jobs";
      kind: "update";
      row: number;
      value: number;
      extra: number;
    }
  | { table: "objects" | "deliveries" | "runs" | "jobs"; kind: "delete"; row: number };

const table = fc.constantFrom("objects", "deliveries", "runs", "jobs" as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ table, kind: fc.constant("insert" as const), value: fc.nat(9), extra: fc.nat(5) }),
  fc.record({
    table,
    kind: fc.constant("update" as const),
    row: fc.nat(30),
    value: fc.nat(9),
    extra: fc.nat(5),
  }),
  fc.record({ table, kind: fc.constant("delete" as const), row: fc.nat(30) }),
);

function apply(harness: Harness, ops: Op[]): void {
  const db = harness.database.sqlite;
  db.prepare(
    "INSERT OR IGNORE INTO buckets (id, name, created_at, updated_at) VALUES ('bkt_m', 'm', 0, 0)",
  ).run();
  let next = 0;
  for (const o of ops) {
    const id = `${o.table}-${next++}`;
    const pick = (row: number) =>
      (
        db.prepare(`SELECT id FROM ${o.table} ORDER BY id LIMIT 1 OFFSET ?`).get(row) as
          | { id: string }
          | undefined
      )?.id;
    if (o.kind === "insert") {
      if (o.table === "objects")
        db.prepare(`INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, write_token, discovered_via,
                      state_changed_at, created_at, updated_at) VALUES (?, 'bkt_m', 's', ?, ?, 'w', 'poll', 0, 0, 0)`).run(
          id,
          id,
          STATES[o.value % STATES.length],
        );
      if (o.table === "deliveries")
        db.prepare(`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, created_at)
                      VALUES (?, 'o', 'bkt_m', 'object.ready', 1, ?, 0)`).run(
          id,
          STATUSES[o.value % STATUSES.length],
        );
      if (o.table === "runs")
        db.prepare(
          `INSERT INTO runs (id, sync_id, kind, status, started_at, repaired) VALUES (?, 's', ?, ?, 0, ?)`,
        ).run(id, o.value % 2 ? "full" : "scheduled", RUN_STATUSES[o.value % RUN_STATUSES.length], o.extra);
      if (o.table === "jobs")
        db.prepare(`INSERT INTO jobs (id, queue, type, idempotency_key, payload, status, max_attempts, available_at,
                      created_at, updated_at) VALUES (?, 'default', ?, ?, '{}', ?, 3, ?, 0, 0)`).run(
          id,
          o.value % 2 ? "ingest" : "deliver",
          id,
          JOB_STATUSES[o.value % JOB_STATUSES.length],
          o.extra,
        );
    } else if (o.kind === "update") {
      const target = pick(o.row);
      if (!target) continue;
      if (o.table === "objects")
        db.prepare("UPDATE objects SET state = ?, version = version + 1 WHERE id = ?").run(
          STATES[o.value % STATES.length],
          target,
        );
      if (o.table === "deliveries")
        db.prepare("UPDATE deliveries SET status = ?, attempts = attempts + 1 WHERE id = ?").run(
          STATUSES[o.value % STATUSES.length],
          target,
        );
      if (o.table === "runs")
        db.prepare("UPDATE runs SET status = ?, repaired = ? WHERE id = ?").run(
          RUN_STATUSES[o.value % RUN_STATUSES.length],
          o.extra,
          target,
        );
      if (o.table === "jobs")
        db.prepare("UPDATE jobs SET status = ?, attempts = attempts + 1 WHERE id = ?").run(
          JOB_STATUSES[o.value % JOB_STATUSES.length],
          target,
        );
    } else {
      const target = pick(o.row);
      if (target) db.prepare(`DELETE FROM ${o.table} WHERE id = ?`).run(target);
    }
  }
}

function truth(harness: Harness) {
  const all = (q: string) => harness.database.sqlite.prepare(q).all();
  return {
    objects: all("SELECT state AS k1, COUNT(*) AS n FROM objects GROUP BY state ORDER BY state"),
    deliveries: all("SELECT status AS k1, COUNT(*) AS n FROM deliveries GROUP BY status ORDER BY status"),
    runs: all(`SELECT kind AS k1, status AS k2, COUNT(*) AS n, SUM(repaired) AS sum FROM runs
                GROUP BY kind, status ORDER BY kind, status`),
    jobs: all("SELECT type, status, COUNT(*) AS n FROM jobs GROUP BY type, status ORDER BY type, status"),
  };
}

function kept(harness: Harness) {
  const all = (q: string, family: string) => harness.database.sqlite.prepare(q).all(family);
  return {
    // Objects are counted once, by bucket, state and reason (object_counts); by state is their sum.
    objects: harness.database.sqlite
      .prepare(
        "SELECT state AS k1, SUM(n) AS n FROM object_counts GROUP BY state HAVING SUM(n) <> 0 ORDER BY state",
      )
      .all(),
    deliveries: all("SELECT k1, n FROM gauge_counts WHERE family = ? AND n <> 0 ORDER BY k1", "deliveries"),
    runs: all("SELECT k1, k2, n, sum FROM gauge_counts WHERE family = ? AND n <> 0 ORDER BY k1, k2", "runs"),
    jobs: harness.database.sqlite
      .prepare("SELECT type, status, n FROM job_counts WHERE n <> 0 ORDER BY type, status")
      .all(),
  };
}

describe("trigger-kept counts", () => {
  it("equal counting the tables after any sequence of inserts, changes and deletions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        h = await createHarness();
        apply(h, ops);
        expect(kept(h)).toEqual(truth(h));
        h.close();
        h = undefined;
      }),
      { numRuns: 60 },
    );
  });

  it("are what a scrape reports", async () => {
    const harness = await createHarness();
    h = harness;
    apply(harness, [
      { table: "objects", kind: "insert", value: 2, extra: 0 },
      { table: "jobs", kind: "insert", value: 0, extra: 0 },
      { table: "runs", kind: "insert", value: 2, extra: 3 },
    ]);
    const snapshot = await readMetricsSnapshot(harness.database, harness.deps.jobs, 10);
    expect(snapshot.objects).toEqual([{ state: "delivered", count: 1 }]);
    expect(snapshot.queue).toEqual([{ type: "deliver", status: "pending", count: 1 }]);
    expect(snapshot.oldestDueAgeSeconds).toEqual([{ type: "deliver", seconds: 0.01 }]);
    expect(snapshot.runs).toEqual([{ kind: "scheduled", status: "succeeded", count: 1, repaired: 3 }]);
  });
});
