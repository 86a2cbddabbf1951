/**
 * What keeps a pass's memory flat whatever the library's size: the library is walked one page
 * at a time (never two list requests in flight) and written in batches no larger than a chunk
 * of a page; SQLite's page cache is bounded (better-sqlite3's own default of 16 MiB filled with a
 * large library's rows); and the Node entry sets V8's heap growth, so the garbage of a long pass
 * is collected near the live heap instead of at several times it.
 */
import type { SQLWrapper } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEnv } from "../../src/config/env";
import { openNodeDatabase, SQLITE_CACHE_KIB } from "../../src/db/node";
import { runReconcilePass, schedulePass } from "../../src/jobs/reconcile";
import { IDS_PER_QUERY } from "../../src/jobs/reconcile-enqueue";
import { PAGE_LIMIT } from "../../src/jobs/reconcile-listing";
import { applyHeapPolicy, HEAP_GROWING_PERCENT, nodeStartFlags } from "../../src/node/heap-policy";
import { openNode } from "../../src/node/open-node";
import { TEST_TOKEN_ID, TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET } from "../helpers/harness";
import { network } from "../helpers/no-network";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

const v8Flags = vi.hoisted(() => ({ set: [] as string[] }));
vi.mock("node:v8", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:v8")>();
  return {
    ...original,
    setFlagsFromString: (flags: string) => {
      v8Flags.set.push(flags);
      original.setFlagsFromString(flags);
    },
  };
});

let h: FakeMuxHarness | undefined;
afterEach(() => h?.close());

const SYNC = "syn_default";

function isListRequest(request: Request): boolean {
  return request.method === "GET" && new URL(request.url).pathname === "/video/v1/assets";
}

describe("a pass walks the library page by page", () => {
  it("never has two pages in flight, and writes in batches of at most one chunk of a page", async () => {
    const harness = await createFakeMuxHarness();
    h = harness;
    const size = 1_050;
    const now = harness.clock.now();
    for (let i = 0; i < size; i++)
      harness.fake.createAsset({
        mp4Support: "standard",
        status: "ready",
        createdAt: now - (size - i) * 60_000,
      });

    let inFlight = 0;
    let mostInFlight = 0;
    let listCalls = 0;
    network.events.on("request:start", ({ request }) => {
      if (!isListRequest(request)) return;
      listCalls++;
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
    });
    network.events.on("response:mocked", ({ request }) => {
      if (isListRequest(request)) inFlight--;
    });

    const batches: number[] = [];
    const atomic = harness.database.atomic.bind(harness.database);
    harness.database.atomic = (statements: readonly SQLWrapper[]) => {
      batches.push(statements.length);
      return atomic(statements);
    };

    const runId = await schedulePass(harness.deps, SYNC, "initial");
    if (!runId) throw new Error("a pass was already queued");
    await runReconcilePass(harness.deps, { syncId: SYNC, runId });
    network.events.removeAllListeners();

    const run = harness.database.sqlite
      .prepare("select status, pages, enqueued from runs where id = ?")
      .get(runId);
    expect(run).toEqual({ status: "succeeded", pages: 11, enqueued: size });
    expect(listCalls).toBe(11);
    expect(mostInFlight).toBe(1);
    // Each page is one write: its ingest jobs and one "seen" update per chunk of ids, never more.
    expect(Math.max(...batches)).toBeLessThanOrEqual(PAGE_LIMIT + Math.ceil(PAGE_LIMIT / IDS_PER_QUERY));
    const pending = harness.database.sqlite
      .prepare("select count(*) as n from jobs where type = 'ingest' and status = 'pending'")
      .get() as { n: number };
    expect(pending.n).toBe(size);
  });
});

describe("the Node process's memory bounds", () => {
  it("opens every database with SQLite's page cache bounded", () => {
    const database = openNodeDatabase(":memory:");
    try {
      expect(database.sqlite.pragma("cache_size", { simple: true })).toBe(-SQLITE_CACHE_KIB);
      expect(SQLITE_CACHE_KIB).toBeLessThanOrEqual(4_096);
    } finally {
      database.close();
    }
  });

  it("sets V8's heap growth when the Node service is opened", async () => {
    v8Flags.set.length = 0;
    const node = await openNode(
      parseEnv({
        MUX_TOKEN_ID: TEST_TOKEN_ID,
        MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
        MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        ENCRYPTION_KEY: "poller-memory-test-key-0123456789abcdef",
        DATABASE_PATH: ":memory:",
        LOG_LEVEL: "error",
      }),
      { logWrite: () => {} },
    );
    try {
      expect(v8Flags.set).toContain(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
      // V8's own factor reaches 300 % on a large machine: the policy must be well below it.
      expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
      expect(HEAP_GROWING_PERCENT).toBeLessThanOrEqual(100);
    } finally {
      await node.runner.stop(1_000);
      node.database.close();
    }
  });

  it("leaves V8's heap growth alone when the process was started with its own", () => {
    v8Flags.set.length = 0;
    applyHeapPolicy(["--heap-growing-percent=0"]);
    applyHeapPolicy(["--heap_growing_percent=20"]);
    expect(v8Flags.set).toEqual([]);
    applyHeapPolicy(["--max-old-space-size=512"]);
    expect(v8Flags.set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it("counts a --heap-growing-percent given in NODE_OPTIONS as the operator's choice", () => {
    v8Flags.set.length = 0;
    applyHeapPolicy(nodeStartFlags([], " --max-old-space-size=512  --heap-growing-percent=10 "));
    expect(v8Flags.set).toEqual([]);
    expect(nodeStartFlags(["--inspect"], undefined)).toEqual(["--inspect"]);
  });
});
