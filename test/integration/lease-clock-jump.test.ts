/**
 * Lease decisions survive wall-clock jumps. A forward jump larger than the lease makes every
 * running job's lease look expired by the wall clock; a claimer takes a running job over only
 * once it has also watched the same lease mark go unrenewed for a lease of monotonic time, and a
 * runner never claims a job it is running itself. A crashed worker's job is still reclaimed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { ManualClock } from "../../src/lib/clock";
import { noopLogger } from "../../src/lib/logger";
import { Doorbell } from "../../src/queue/doorbell";
import { JobStore } from "../../src/queue/job-store";
import { JobRunner } from "../../src/queue/runner";
import type { ClaimedJob, JobRegistry } from "../../src/queue/types";

const T0 = 1_700_000_000_000;
const LEASE_MS = 30_000;
let database: NodeDatabase;
let clock: ManualClock;

beforeEach(() => {
  database = openNodeDatabase(":memory:");
  clock = new ManualClock(T0);
});
afterEach(() => database.close());

/** A store that tells the test each time it looked for work (a barrier, never a sleep). */
class WatchedStore extends JobStore {
  claims = 0;
  private waiters: Array<{ n: number; done: () => void }> = [];
  override async claim(
    queue?: string,
    options?: { exclude?: ReadonlySet<string> },
  ): Promise<ClaimedJob | null> {
    const claimed = await super.claim(queue, options);
    this.claims++;
    for (const waiter of this.waiters.filter((w) => this.claims >= w.n)) waiter.done();
    this.waiters = this.waiters.filter((w) => this.claims < w.n);
    return claimed;
  }
  /** Resolves once `more` further claims have been attempted. */
  polled(more: number): Promise<void> {
    const n = this.claims + more;
    return new Promise((done) => this.waiters.push({ n, done }));
  }
}

const storeOf = () => new WatchedStore(database, clock, { leaseMs: LEASE_MS, maxAttempts: 3 });

function runnerOf(store: JobStore, registry: JobRegistry, concurrency = 2) {
  return new JobRunner({
    doorbell: new Doorbell(),
    store,
    clock,
    logger: noopLogger,
    concurrency,
    pollIntervalMs: 1,
    registry,
  });
}

describe("leases and wall-clock jumps", () => {
  it("a forward jump of several leases does not let a second runner take a running job", async () => {
    const runs: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((done) => {
      release = done;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((done) => {
      started = done;
    });
    const registry = (who: string): JobRegistry => ({
      long: {
        handle: async () => {
          runs.push(who);
          started();
          await held;
        },
      },
    });
    const storeA = storeOf();
    const storeB = storeOf();
    await storeA.enqueue({ type: "long", key: "long-1", payload: {} });
    const a = runnerOf(storeA, registry("A"));
    a.start();
    await running;
    const b = runnerOf(storeB, registry("B"));
    b.start();
    try {
      clock.jump(5 * LEASE_MS);
      // Both runners poll again and again with the job's lease expired by the wall clock.
      await Promise.all([storeB.polled(50), storeA.polled(50)]);
      expect(runs).toEqual(["A"]);
      // Time passes normally too, less than a lease: still A's.
      clock.advance(LEASE_MS / 2);
      await Promise.all([storeB.polled(20), storeA.polled(20)]);
      expect(runs).toEqual(["A"]);
      release();
      await storeA.polled(5);
    } finally {
      await Promise.all([a.stop(1_000), b.stop(1_000)]);
    }
    expect(runs).toEqual(["A"]);
    const row = database.sqlite.prepare("select status, attempts from jobs").get();
    expect(row).toEqual({ status: "done", attempts: 1 });
  });

  it("a runner never claims a job it is running itself, whatever the clocks say", async () => {
    const runs: number[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((done) => {
      release = done;
    });
    const store = storeOf();
    await store.enqueue({ type: "long", key: "self", payload: {} });
    const runner = runnerOf(
      store,
      {
        long: {
          handle: async (job) => {
            runs.push(job.attempt);
            await held;
          },
        },
      },
      3,
    );
    runner.start();
    try {
      await store.polled(5);
      // Wall and monotonic time both move past the lease, with no heartbeat in between.
      clock.advance(3 * LEASE_MS);
      await store.polled(50);
      expect(runs).toEqual([1]);
      release();
      await store.polled(5);
    } finally {
      await runner.stop(1_000);
    }
    expect(runs).toEqual([1]);
  });

  it("a crashed worker's job is reclaimed once its lease has gone unrenewed for a lease of monotonic time", async () => {
    const crashedStore = storeOf();
    await crashedStore.enqueue({ type: "long", key: "crash", payload: {} });
    const crashed = await crashedStore.claim();
    expect(crashed).not.toBeNull();
    // The worker died; a new process starts and looks.
    const survivor = storeOf();
    clock.jump(10 * LEASE_MS);
    expect(await survivor.claim()).toBeNull();
    expect(await survivor.claim()).toBeNull();
    clock.advance(LEASE_MS - 1);
    expect(await survivor.claim()).toBeNull();
    clock.advance(1);
    const reclaimed = await survivor.claim();
    expect(reclaimed).toMatchObject({ id: crashed?.id, attempt: 2 });
    // The dead worker's lease no longer writes anything.
    if (crashed) expect(await crashedStore.complete(crashed)).toBe(false);
  });

  it("a heartbeat renews the mark: a job whose worker keeps beating is never taken, even long after the jump", async () => {
    const owner = storeOf();
    await owner.enqueue({ type: "long", key: "beating", payload: {} });
    const job = await owner.claim();
    if (!job) throw new Error("no job");
    const other = storeOf();
    clock.jump(10 * LEASE_MS);
    for (let i = 0; i < 12; i++) {
      expect(await other.claim()).toBeNull();
      clock.advance(LEASE_MS / 3);
      expect(await other.claim()).toBeNull();
      // The wall clock does not move between two heartbeats here: the mark still changes.
      expect(await owner.heartbeat(job)).toBe(true);
    }
    expect(await owner.complete(job)).toBe(true);
  });

  it("the last attempt's lease is reaped only after a lease of monotonic time, not on a jump", async () => {
    const owner = new JobStore(database, clock, { leaseMs: LEASE_MS, maxAttempts: 1 });
    await owner.enqueue({ type: "long", key: "last", payload: {} });
    const job = await owner.claim();
    const reaper = new JobStore(database, clock, { leaseMs: LEASE_MS, maxAttempts: 1 });
    clock.jump(10 * LEASE_MS);
    expect(await reaper.reapExpired()).toEqual([]);
    clock.advance(LEASE_MS);
    expect((await reaper.reapExpired()).map((j) => j.id)).toEqual([job?.id]);
  });
});
