import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { ManualClock } from "../../src/lib/clock";
import { AppError, RetryAfterError } from "../../src/lib/errors";
import { noopLogger } from "../../src/lib/logger";
import { backoffDelayMs } from "../../src/queue/backoff";
import { Doorbell } from "../../src/queue/doorbell";
import { JobStore } from "../../src/queue/job-store";
import { HOUSEKEEPING_INTERVAL_MS, JobRunner } from "../../src/queue/runner";
import type { ClaimedJob } from "../../src/queue/types";

const T0 = 1_700_000_000_000;
let database: NodeDatabase;
let clock: ManualClock;
let store: JobStore;

beforeEach(() => {
  database = openNodeDatabase(":memory:");
  clock = new ManualClock(T0);
  store = new JobStore(database, clock, { leaseMs: 30_000, maxAttempts: 3, random: () => 0.5 });
});
afterEach(() => database.close());

const job = (key: string) => ({ type: "noop", key, payload: { key } });

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A runner of `noop` jobs over `over`: `ran` lists the keys run; `whenRan(n)` settles once n have. */
function noopRunner(over: JobStore, concurrency: number, onJob: () => void = () => {}) {
  const ran: string[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const runner = new JobRunner({
    doorbell: new Doorbell(),
    store: over,
    clock,
    logger: noopLogger,
    concurrency,
    pollIntervalMs: 5,
    registry: {
      noop: {
        handle: async (j) => {
          onJob();
          ran.push(j.key);
          for (const waiter of waiting) if (ran.length >= waiter.count) waiter.resolve();
        },
      },
    },
  });
  const whenRan = (count: number): Promise<void> => {
    const ready = deferred();
    if (ran.length >= count) ready.resolve();
    else waiting.push({ count, resolve: ready.resolve });
    return ready.promise;
  };
  return { runner, ran, whenRan };
}

async function claimOrFail(s: JobStore = store): Promise<ClaimedJob> {
  const claimed = await s.claim();
  if (!claimed) throw new Error("expected a job to be claimable");
  return claimed;
}

describe("enqueue", () => {
  it("is a no-op for a key that is already waiting", async () => {
    await store.enqueue(job("a"));
    await store.enqueue(job("a"));
    expect(await store.counts()).toEqual({ pending: 1, running: 0, done: 0, dead: 0 });
  });

  it("revives a finished job when the same key is enqueued again", async () => {
    await store.enqueue(job("a"));
    const claimed = await claimOrFail();
    await store.complete(claimed);
    expect((await store.counts()).done).toBe(1);
    await store.enqueue(job("a"));
    const again = await claimOrFail();
    expect(again.id).toBe(claimed.id);
    expect(again.attempt).toBe(1);
  });

  it("runs a job once more when it is enqueued while running", async () => {
    await store.enqueue(job("a"));
    const claimed = await claimOrFail();
    await store.enqueue(job("a"));
    expect(await store.claim()).toBeNull();
    expect(await store.complete(claimed)).toBe(true);
    expect(await store.counts()).toMatchObject({ pending: 1, done: 0 });
    const rerun = await claimOrFail();
    expect(rerun.id).toBe(claimed.id);
    await store.complete(rerun);
    expect(await store.counts()).toMatchObject({ pending: 0, done: 1 });
  });

  it("honours a delay", async () => {
    await store.enqueue({ ...job("later"), delayMs: 5_000 });
    expect(await store.claim()).toBeNull();
    clock.advance(5_000);
    expect((await claimOrFail()).key).toBe("later");
  });
});

describe("claims and leases", () => {
  it("leases a job to one claimer only", async () => {
    await store.enqueue(job("a"));
    const first = await claimOrFail();
    expect(first.attempt).toBe(1);
    expect(await store.claim()).toBeNull();
  });

  it("claims a crashed worker's job again once its lease expires, and fences the old worker out", async () => {
    await store.enqueue(job("a"));
    const crashed = await claimOrFail();
    clock.advance(29_999);
    expect(await store.claim()).toBeNull();
    clock.advance(1);
    const reclaimed = await claimOrFail();
    expect(reclaimed.id).toBe(crashed.id);
    expect(reclaimed.attempt).toBe(2);
    expect(reclaimed.leaseId).not.toBe(crashed.leaseId);
    // The first worker wakes up late: its result is refused.
    expect(await store.complete(crashed)).toBe(false);
    expect(await store.fail(crashed, new Error("late"))).toEqual({ kind: "lost" });
    expect(await store.complete(reclaimed)).toBe(true);
  });

  it("heartbeats keep a long job's lease", async () => {
    await store.enqueue(job("a"));
    const claimed = await claimOrFail();
    clock.advance(20_000);
    expect(await store.heartbeat(claimed)).toBe(true);
    clock.advance(20_000);
    expect(await store.claim()).toBeNull();
  });

  it("never hands one job to two claimers on two connections to one file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mux-ingest-queue-"));
    const path = join(dir, "queue.db");
    const a = openNodeDatabase(path);
    const b = openNodeDatabase(path);
    try {
      const storeA = new JobStore(a, clock, { leaseMs: 60_000 });
      const storeB = new JobStore(b, clock, { leaseMs: 60_000 });
      for (let i = 0; i < 200; i++) await storeA.enqueue(job(`k${i}`));
      const seen: string[] = [];
      const claimer = async (s: JobStore) => {
        for (;;) {
          const claimed = await s.claim();
          if (!claimed) return;
          seen.push(claimed.id);
        }
      };
      await Promise.all([claimer(storeA), claimer(storeB), claimer(storeA), claimer(storeB)]);
      expect(seen).toHaveLength(200);
      expect(new Set(seen).size).toBe(200);
    } finally {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("failures", () => {
  it("backs off exponentially with jitter", async () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, { baseMs: 1000, maxMs: 5000 }, () => 0.5))).toEqual([
      750, 1500, 3000, 3750,
    ]);
    expect(backoffDelayMs(1, { baseMs: 1000, maxMs: 5000 }, () => 0)).toBe(500);
    expect(backoffDelayMs(1, { baseMs: 1000, maxMs: 5000 }, () => 0.999999)).toBe(1000);

    await store.enqueue(job("a"));
    const first = await claimOrFail();
    expect(await store.fail(first, new Error("boom"))).toEqual({ kind: "retry", availableAt: T0 + 750 });
    clock.advance(749);
    expect(await store.claim()).toBeNull();
    clock.advance(1);
    const second = await claimOrFail();
    expect(second.attempt).toBe(2);
    expect(await store.fail(second, new Error("boom"))).toEqual({
      kind: "retry",
      availableAt: T0 + 750 + 1500,
    });
  });

  it("dead-letters after the last attempt, keeping the last error", async () => {
    await store.enqueue(job("a"));
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await claimOrFail();
      expect(claimed.attempt).toBe(attempt);
      const outcome = await store.fail(claimed, new Error(`boom ${attempt}`));
      expect(outcome.kind).toBe(attempt < 3 ? "retry" : "dead");
      clock.advance(60_000);
    }
    expect(await store.claim()).toBeNull();
    expect(await store.counts()).toMatchObject({ dead: 1, pending: 0 });
    const row = database.sqlite.prepare("select last_error from jobs").get() as { last_error: string };
    expect(row.last_error).toBe("boom 3");
    expect(await store.retryDead("a")).toBe(true);
    expect((await claimOrFail()).attempt).toBe(1);
  });

  it("dead-letters at once on an error that retrying cannot fix", async () => {
    await store.enqueue(job("a"));
    const claimed = await claimOrFail();
    const outcome = await store.fail(claimed, new AppError("UPSTREAM_AUTH", "Mux rejected the access token"));
    expect(outcome).toEqual({ kind: "dead" });
    expect(await store.counts()).toMatchObject({ dead: 1, pending: 0 });
  });

  it("waits out a RetryAfterError without spending an attempt", async () => {
    await store.enqueue(job("a"));
    for (let i = 0; i < 5; i++) {
      const claimed = await claimOrFail();
      expect(claimed.attempt).toBe(1);
      expect(await store.fail(claimed, new RetryAfterError(2_000, "429"))).toEqual({
        kind: "retry",
        availableAt: clock.now() + 2_000,
      });
      clock.advance(1_999);
      expect(await store.claim()).toBeNull();
      clock.advance(1);
    }
  });

  it("dead-letters a job whose worker died during its last attempt", async () => {
    await store.enqueue(job("a"));
    for (let i = 0; i < 3; i++) {
      await claimOrFail();
      clock.advance(30_000);
    }
    expect(await store.claim()).toBeNull();
    const reaped = await store.reapExpired();
    expect(reaped.map((j) => j.key)).toEqual(["a"]);
    expect((await store.counts()).dead).toBe(1);
  });
});

describe("runner", () => {
  it("drains jobs, retries failures and calls onDead once", async () => {
    const ran: string[] = [];
    const dead: string[] = [];
    let flaky = 0;
    const runner = new JobRunner({
      doorbell: new Doorbell(),
      store,
      clock,
      logger: noopLogger,
      concurrency: 2,
      pollIntervalMs: 5,
      registry: {
        noop: { handle: async (j) => void ran.push(j.key) },
        flaky: {
          handle: async () => {
            flaky++;
            if (flaky < 2) throw new Error("first time fails");
          },
        },
        broken: {
          handle: async () => {
            throw new Error("always");
          },
          onDead: async (j) => void dead.push(j.key),
        },
      },
    });
    await store.enqueue(job("a"));
    await store.enqueue(job("b"));
    await store.enqueue({ type: "flaky", key: "f", payload: {} });
    await store.enqueue({ type: "broken", key: "x", payload: {} });
    for (let i = 0; i < 5; i++) {
      await runner.drain();
      clock.advance(10 * 60_000);
    }
    expect(ran.sort()).toEqual(["a", "b"]);
    expect(flaky).toBe(2);
    expect(dead).toEqual(["x"]);
    expect(await store.counts()).toEqual({ pending: 0, running: 0, done: 3, dead: 1 });
  });

  it("runs jobs concurrently up to its limit (barrier, no sleeps)", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let active = 0;
    let peak = 0;
    let arrived = 0;
    let allArrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      allArrived = resolve;
    });
    const runner = new JobRunner({
      doorbell: new Doorbell(),
      store,
      clock,
      logger: noopLogger,
      concurrency: 3,
      pollIntervalMs: 5,
      registry: {
        noop: {
          handle: async () => {
            active++;
            peak = Math.max(peak, active);
            if (++arrived === 3) allArrived();
            await gate;
            active--;
          },
        },
      },
    });
    for (let i = 0; i < 6; i++) await store.enqueue(job(`j${i}`));
    const drained = runner.drain();
    await arrival;
    expect(active).toBe(3);
    release();
    await drained;
    expect(peak).toBe(3);
    expect((await store.counts()).done).toBe(6);
  });

  it("survives a failing lease heartbeat (regression: it used to be an unhandled rejection)", async () => {
    let heartbeatFailed: () => void = () => {};
    const failedOnce = new Promise<void>((r) => {
      heartbeatFailed = r;
    });
    class FlakyStore extends JobStore {
      override async heartbeat(): Promise<boolean> {
        heartbeatFailed();
        throw new Error("database is locked");
      }
    }
    const flaky = new FlakyStore(database, clock, { leaseMs: 3_000 });
    const runner = new JobRunner({
      doorbell: new Doorbell(),
      store: flaky,
      clock,
      logger: noopLogger,
      concurrency: 1,
      pollIntervalMs: 5,
      registry: { noop: { handle: () => failedOnce } },
    });
    await flaky.enqueue(job("long"));
    await runner.drain();
    expect(await flaky.counts()).toMatchObject({ done: 1 });
  });

  it("releases in-flight jobs on stop after the grace period", async () => {
    let started: () => void = () => {};
    const startedP = new Promise<void>((resolve) => {
      started = resolve;
    });
    const runner = new JobRunner({
      doorbell: new Doorbell(),
      store,
      clock,
      logger: noopLogger,
      concurrency: 1,
      pollIntervalMs: 5,
      registry: {
        noop: {
          handle: async () => {
            started();
            await new Promise(() => {});
          },
        },
      },
    });
    await store.enqueue(job("stuck"));
    runner.start();
    await startedP;
    await runner.stop(20);
    const released = await claimOrFail();
    expect(released.key).toBe("stuck");
    expect(released.attempt).toBe(1);
  });
});

describe("claim query plan", () => {
  it("uses the claim index for both pending and expired jobs, never a scan of finished ones", () => {
    const query = new SQLiteSyncDialect().sqlToQuery(store.claimStatement("default", T0, "lease_x"));
    const plan = (
      database.sqlite.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as Array<{
        detail: string;
      }>
    )
      .map((row) => row.detail)
      .join("\n");
    expect(plan).toContain(
      "SEARCH jobs USING INDEX jobs_claim_idx (queue=? AND status=? AND available_at<?)",
    );
    expect(plan).toContain("SEARCH jobs USING INDEX jobs_claim_idx (queue=? AND status=?)");
    expect(plan).not.toContain("jobs_queue_key_uq");
    expect(plan).not.toContain("TEMP B-TREE");
  });

  it("prunes finished jobs after the retention period, keeping dead ones", async () => {
    await store.enqueue(job("old"));
    await store.enqueue(job("dead"));
    await store.complete(await claimOrFail());
    await store.fail(await claimOrFail(), new AppError("UPSTREAM_AUTH", "no"));
    clock.advance(8 * 24 * 3600_000);
    expect(await store.pruneFinished(7 * 24 * 3600_000)).toBe(1);
    expect(await store.counts()).toMatchObject({ done: 0, dead: 1 });
  });

  it("prunes finished jobs from one runner loop at a time, the others claiming meanwhile", async () => {
    let inFlight = 0;
    let peak = 0;
    let calls = 0;
    const held = deferred();
    const called = deferred();
    class HeldPruneStore extends JobStore {
      override async pruneFinished(): Promise<number> {
        calls++;
        peak = Math.max(peak, ++inFlight);
        called.resolve();
        await held.promise;
        inFlight--;
        return 0;
      }
    }
    const heldStore = new HeldPruneStore(database, clock, { leaseMs: 3_000 });
    const { runner, ran, whenRan } = noopRunner(heldStore, 4);
    for (const key of ["a", "b", "c"]) await heldStore.enqueue(job(key));
    runner.start();
    await called.promise;
    // Every loop starts with housekeeping; while one prunes, the other three take the jobs.
    await whenRan(3);
    // Housekeeping falls due again while the first is still held: it is not started twice.
    clock.advance(HOUSEKEEPING_INTERVAL_MS);
    await heldStore.enqueue(job("d"));
    await whenRan(4);
    expect(calls).toBe(1);
    expect(peak).toBe(1);
    held.resolve();
    await runner.stop();
    expect(ran.sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("reaps and prunes every HOUSEKEEPING_INTERVAL_MS even when it is never idle", async () => {
    let calls = 0;
    class CountingStore extends JobStore {
      override async pruneFinished(): Promise<number> {
        calls++;
        return 0;
      }
    }
    const counting = new CountingStore(database, clock, { leaseMs: 3_000 });
    // Each job takes an interval: there is always a job waiting when the next claim comes.
    const { runner, whenRan } = noopRunner(counting, 1, () => clock.advance(HOUSEKEEPING_INTERVAL_MS));
    for (const key of ["a", "b", "c", "d", "e"]) await counting.enqueue(job(key));
    runner.start();
    await whenRan(5);
    await runner.stop();
    // Once at start, then before each of the next four claims.
    expect(calls).toBeGreaterThanOrEqual(5);
  });

  it("prunes finished jobs in batches of bounded size, a bounded number per call", async () => {
    for (let i = 0; i < 7; i++) {
      await store.enqueue(job(`done-${i}`));
      await store.complete(await claimOrFail());
    }
    clock.advance(8 * 24 * 3600_000);
    const limits = { batchRows: 2, maxBatches: 2 };
    expect(await store.pruneFinished(7 * 24 * 3600_000, undefined, limits)).toBe(4);
    expect(await store.pruneFinished(7 * 24 * 3600_000, undefined, limits)).toBe(3);
    expect(await store.pruneFinished(7 * 24 * 3600_000, undefined, limits)).toBe(0);
    expect(await store.counts()).toMatchObject({ done: 0 });
  });
});
