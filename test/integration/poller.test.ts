import { http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { runReconcilePass, schedulePass } from "../../src/jobs/reconcile";
import { RetryAfterError } from "../../src/lib/errors";
import { network } from "../helpers/no-network";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

let h: FakeMuxHarness;
afterEach(() => h?.close());

const SYNC = "syn_default";

function run(id: string) {
  return h.database.sqlite.prepare("select * from runs where id = ?").get(id) as Record<
    string,
    number | string | null
  >;
}
function count(query: string, ...params: unknown[]) {
  return (h.database.sqlite.prepare(query).get(...params) as { n: number }).n;
}

/** Runs jobs (moving the clock past backoffs) until none is waiting. */
async function drainAll(rounds = 20) {
  for (let i = 0; i < rounds; i++) {
    await h.runner.drain();
    const next = await h.deps.jobs.nextDueAt();
    if (next === null) return;
    h.clock.set(Math.max(h.clock.now(), next));
  }
  throw new Error("jobs did not drain");
}

async function pass(kind: "initial" | "scheduled" | "triggered" = "scheduled") {
  const runId = await schedulePass(h.deps, SYNC, kind);
  if (!runId) throw new Error("a pass was already queued");
  await drainAll();
  return run(runId);
}

/** A library built over the past `count` minutes, oldest first, as real ones are. */
function library(
  count: number,
  spec: (i: number) => Parameters<FakeMuxHarness["fake"]["createAsset"]>[0] = () => ({}),
) {
  const now = h.clock.now();
  return Array.from({ length: count }, (_, i) =>
    h.fake.createAsset({ mp4Support: "standard", createdAt: now - (count - i) * 60_000, ...spec(i) }),
  );
}

describe("reconciliation", () => {
  it("repairs every asset whose webhooks were dropped (1,000 assets, 30 % dropped)", async () => {
    h = await createFakeMuxHarness({
      fake: {
        seed: 7,
        faults: { dropRate: 0.3 },
        lifecycle: { readyAfterMs: 1000, renditionsAfterMs: 2000 },
        signingKey: { id: "k", privateKeyBase64: "unused" },
      },
    });
    await pass("initial");
    const assets = library(1000, (i) => (i % 10 === 0 ? { outcome: "errored" } : {}));
    // Step by step, as in life: each webhook is handled before the asset changes again.
    await h.settleAll();
    await h.fake.advance(1000);
    await h.settleAll();
    await h.fake.advance(2000);
    await h.settleAll();
    expect(h.fake.stats().webhooks.dropped).toBeGreaterThan(600);
    const settled = new Set(["ready", "skipped", "delivered"]);
    const needed = assets.filter((a) => !settled.has(String(h.objectOf(a.id)?.state))).length;
    expect(needed).toBeGreaterThan(200);

    const result = await pass();
    expect(result).toMatchObject({ status: "succeeded", assets_seen: 1000, pages: 10 });
    expect(result.repaired).toBe(needed);
    for (const [i, asset] of assets.entries()) {
      expect(h.objectOf(asset.id)?.state).toBe(i % 10 === 0 ? "skipped" : "ready");
    }
    expect(h.logs.some((l) => l.includes("Reconciliation repaired an asset the webhooks missed"))).toBe(true);
  }, 90_000);

  it("costs at most 2 list calls for 10 new assets on a 1,000-asset library", async () => {
    h = await createFakeMuxHarness({ fake: { signingKey: { id: "k", privateKeyBase64: "unused" } } });
    library(1000, () => ({ status: "ready" }));
    const initial = await pass("initial");
    expect(initial).toMatchObject({ status: "succeeded", pages: 10, api_calls: 10, repaired: 0 });
    expect(count("select count(*) as n from objects where state = 'ready'")).toBe(1000);

    h.clock.advance(3600_000);
    h.fake.setWebhookUrl(null);
    for (let i = 0; i < 10; i++) h.fake.createAsset({ mp4Support: "standard", status: "ready" });
    h.fake.resetStats();
    const incremental = await pass();
    expect(h.fake.stats().listCalls).toBeLessThanOrEqual(2);
    expect(h.fake.stats().retrieveCalls).toBe(0);
    expect(incremental).toMatchObject({ status: "succeeded", enqueued: 10, repaired: 10 });
    expect(Number(incremental.api_calls)).toBeLessThanOrEqual(2);
    expect(count("select count(*) as n from objects where state = 'ready'")).toBe(1010);
  });

  it("re-checks waiting objects one GET each, and finds a deletion on a full sweep", async () => {
    h = await createFakeMuxHarness({
      fake: {
        lifecycle: { readyAfterMs: 1000, renditionsAfterMs: 3_600_000 },
        signingKey: { id: "k", privateKeyBase64: "unused" },
      },
    });
    const [waiting, gone] = library(2, () => ({ status: "ready", renditionsReady: false }));
    await pass("initial");
    expect(h.objectOf(String(waiting?.id))?.state).toBe("waiting_for_rendition");
    h.fake.setWebhookUrl(null);
    h.fake.deleteAsset(String(gone?.id));
    await h.fake.advance(3_600_000);
    h.fake.resetStats();
    const full = await pass("triggered");
    // A sync's first non-initial pass is a full sweep (no full sweep recorded yet).
    expect(full).toMatchObject({ status: "succeeded" });
    expect(h.objectOf(String(waiting?.id))?.state).toBe("ready");
    expect(h.objectOf(String(gone?.id))?.state).toBe("deleted");
  });

  it("initial_only: one full pass, then completed; later assets are recorded but not ingested", async () => {
    h = await createFakeMuxHarness({
      env: { SYNC_MODE: "initial_only" },
      fake: { signingKey: { id: "k", privateKeyBase64: "unused" } },
    });
    const before = library(5, () => ({ status: "ready" }));
    await pass("initial");
    expect(count("select count(*) as n from objects")).toBe(5);
    expect(h.database.sqlite.prepare("select status from syncs where id = ?").get(SYNC)).toEqual({
      status: "completed",
    });

    h.clock.advance(60_000);
    const later = h.fake.createAsset({ mp4Support: "standard" });
    await h.fake.settle();
    await h.settleAll();
    expect(h.objectOf(later.id)).toBeUndefined();
    expect(count("select count(*) as n from webhook_events where asset_id = ?", later.id)).toBeGreaterThan(0);
    // Webhooks about assets of the initial pass still apply.
    h.fake.deleteAsset(String(before[0]?.id));
    await h.settleAll();
    expect(h.objectOf(String(before[0]?.id))?.state).toBe("deleted");
    h.fake.resetStats();
    await pass();
    expect(h.fake.stats().listCalls).toBe(0);
    expect(h.objectOf(later.id)).toBeUndefined();
  });

  it("mux://{asset_id}: one GET, no list call", async () => {
    h = await createFakeMuxHarness({ fake: { signingKey: { id: "k", privateKeyBase64: "unused" } } });
    const [, target] = library(3, () => ({ status: "ready" }));
    h.database.sqlite
      .prepare("update syncs set source_path = ? where id = ?")
      .run(`mux://${target?.id}`, SYNC);
    h.fake.resetStats();
    const result = await pass("initial");
    expect(result.status).toBe("succeeded");
    expect(h.fake.stats().listCalls).toBe(0);
    expect(h.fake.stats().retrieveCalls).toBe(1);
    expect(count("select count(*) as n from objects")).toBe(1);
    expect(h.objectOf(String(target?.id))?.state).toBe("ready");
  });

  it("waits out 429 Retry-After and completes the pass, resuming from its cursor", async () => {
    h = await createFakeMuxHarness({ fake: { signingKey: { id: "k", privateKeyBase64: "unused" } } });
    library(250, () => ({ status: "ready" }));
    h.fake.setRateLimit({ perSecond: 1, burst: 1 });
    const result = await pass("initial");
    expect(h.fake.stats().rateLimited).toBeGreaterThan(0);
    expect(result).toMatchObject({ status: "succeeded", pages: 3, assets_seen: 250 });
    expect(count("select count(*) as n from objects where state = 'ready'")).toBe(250);
  });

  it("fails a pass Mux refuses with 401, with the troubleshooting message, and suspends after 5", async () => {
    h = await createFakeMuxHarness({
      env: { MUX_TOKEN_SECRET: "wrong-secret" },
      fake: { signingKey: { id: "k", privateKeyBase64: "unused" } },
    });
    library(3, () => ({ status: "ready" }));
    for (let i = 1; i <= 5; i++) {
      const result = await pass(i === 1 ? "initial" : "triggered");
      expect(result.status).toBe("failed");
      expect(String(result.message)).toContain(
        "Mux rejected the access token (401 Unauthorized): check the token ID and secret, and that the token has Mux Video Read permission",
      );
      const sync = h.database.sqlite.prepare("select status, consecutive_failures from syncs").get() as {
        status: string;
        consecutive_failures: number;
      };
      expect(sync).toEqual({ status: i < 5 ? "active" : "suspended", consecutive_failures: i });
    }
  });

  it("never runs two passes of one sync at once, across two service graphs on one database", async () => {
    h = await createFakeMuxHarness({ fake: { signingKey: { id: "k", privateKeyBase64: "unused" } } });
    library(3, () => ({ status: "ready" }));
    let enteredList: () => void = () => {};
    const listing = new Promise<void>((r) => {
      enteredList = r;
    });
    let releaseList: () => void = () => {};
    const gate = new Promise<void>((r) => {
      releaseList = r;
    });
    network.use(
      http.get("https://api.mux.com/video/v1/assets", async ({ request }) => {
        enteredList();
        await gate;
        return h.fake.fetch(request);
      }),
    );
    const runId = await schedulePass(h.deps, SYNC, "initial");
    // The queue refuses a second pass while one is queued or running…
    expect(await schedulePass(h.deps, SYNC, "triggered")).toBeNull();
    const draining = h.runner.drain();
    await listing;
    // …and a contender that got past it anyway (another process with its own run) meets the lease.
    h.database.sqlite
      .prepare(
        "insert into runs (id, sync_id, kind, status, started_at) values ('run_contender', ?, 'triggered', 'queued', ?)",
      )
      .run(SYNC, h.clock.now());
    await expect(runReconcilePass(h.deps, { syncId: SYNC, runId: "run_contender" })).rejects.toBeInstanceOf(
      RetryAfterError,
    );
    expect(run("run_contender").status).toBe("queued");
    releaseList();
    await draining;
    expect(run(String(runId)).status).toBe("succeeded");
    expect(h.fake.stats().listCalls).toBe(1);
  });
});
