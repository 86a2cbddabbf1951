/**
 * Retention on the Cron Trigger, over D1: an invocation prunes what is past RETENTION_DAYS
 * (webhook events, settled deliveries but the newest per object, history beyond the last few per
 * object, runs beyond the last N per sync) within its statement budget, and keeps the rest.
 */
import { describe, expect, it } from "vitest";
import { CRON_RETENTION_BUDGET, DAY_MS, HISTORY_KEPT_PER_OBJECT } from "../../src/sync/retention";
import { countingD1 } from "./helpers/counting-d1";
import { createWorkerHarness } from "./helpers/worker-harness";

describe("retention in the cron", () => {
  it("prunes history past retention within a bounded number of D1 statements per invocation", async () => {
    const counter = countingD1(createWorkerHarness().env.DB);
    const worker = createWorkerHarness({ db: counter.db });
    expect((await worker.fetch("/healthz")).status).toBe(200);
    // No pass is due: the invocations below do retention and the queue's upkeep only.
    await worker.run("UPDATE syncs SET next_run_at = NULL");
    const [sync] = await worker.rows<{ id: string; bucket_id: string }>(
      "SELECT id, bucket_id FROM syncs LIMIT 1",
    );
    if (!sync) throw new Error("no sync");
    const old = Date.now() - 40 * DAY_MS;
    const fresh = Date.now() - DAY_MS;
    const statements: string[] = [];
    for (let i = 0; i < 60; i++)
      statements.push(`INSERT INTO webhook_events (id, connection_id, type, outcome, nonce, received_at)
                       VALUES ('evt_old_${i}', 'con_x', 'video.asset.ready', 'enqueued', 'n', ${old + i})`);
    statements.push(`INSERT INTO webhook_events (id, connection_id, type, outcome, nonce, received_at)
                     VALUES ('evt_fresh', 'con_x', 'video.asset.ready', 'enqueued', 'n', ${fresh})`);
    for (const [v, status, at] of [
      [1, "delivered", old],
      [2, "failed", old + 1],
      [3, "delivered", old + 2],
    ] as const)
      statements.push(`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, payload, created_at)
                       VALUES ('obj_r.v${v}', 'obj_r', '${sync.bucket_id}', 'object.ready', ${v}, '${status}', '{}', ${at})`);
    statements.push(`INSERT INTO deliveries (id, object_id, bucket_id, type, object_version, status, payload, created_at)
                     VALUES ('obj_p.v1', 'obj_p', '${sync.bucket_id}', 'object.ready', 1, 'pending', '{}', ${old})`);
    for (let i = 0; i < HISTORY_KEPT_PER_OBJECT + 10; i++)
      statements.push(
        `INSERT INTO object_history (object_id, state, at) VALUES ('obj_r', 'ready', ${old + i})`,
      );
    for (const statement of statements) await worker.run(statement);

    counter.reset();
    await worker.scheduled();
    const first = counter.tally().statements;
    counter.reset();
    await worker.scheduled();
    const idle = counter.tally().statements;

    expect(await worker.rows("SELECT id FROM webhook_events WHERE id LIKE 'evt_%'")).toEqual([
      { id: "evt_fresh" },
    ]);
    expect(
      await worker.rows(
        "SELECT id, payload IS NULL AS dropped FROM deliveries WHERE object_id IN ('obj_r', 'obj_p') ORDER BY id",
      ),
    ).toEqual([
      { id: "obj_p.v1", dropped: 0 }, // pending: never pruned, whatever its age
      { id: "obj_r.v3", dropped: 1 }, // the newest: its row stays, its payload goes
    ]);
    const [history] = await worker.rows<{ n: number; oldest: number }>(
      "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM object_history WHERE object_id = 'obj_r'",
    );
    expect(history).toEqual({ n: HISTORY_KEPT_PER_OBJECT, oldest: old + 10 });
    // The pruning invocation spent at most its budget more than one with nothing to prune.
    expect(first - idle).toBeLessThanOrEqual(CRON_RETENTION_BUDGET.statements);
    expect(first).toBeLessThan(1000);
  });
});
