/**
 * Mux unreachable for a long while (many polling intervals), while assets keep being created and
 * every webhook about them is lost. The poller must fail its passes without giving up on the sync,
 * and once Mux answers again, catch up on everything: nothing lost, nobody had to step in.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { scheduleDuePasses } from "../../src/resources/passes";
import { network } from "../helpers/no-network";
import { createFakeMuxHarness, type FakeMuxHarness } from "../helpers/with-fake-mux";

let h: FakeMuxHarness;
afterEach(() => h?.close());

const INTERVAL_S = 60;

/** Runs every job that is due, moving the clock past backoffs, until none waits. */
async function drainAll(rounds = 40) {
  for (let i = 0; i < rounds; i++) {
    await h.runner.drain();
    const next = await h.deps.jobs.nextDueAt();
    if (next === null) return;
    h.clock.set(Math.max(h.clock.now(), next));
  }
  throw new Error("jobs did not drain");
}

/** One polling interval passes: the scheduler queues what is due, the jobs run. */
async function interval() {
  h.clock.advance(INTERVAL_S * 1_000 * 1.1);
  await h.fake.advance(0);
  await scheduleDuePasses(h.deps, { jitter: () => 0.5 });
  await drainAll();
}

const sql = <T>(query: string) => h.database.sqlite.prepare(query).all() as T[];

describe("Mux unreachable for a while", () => {
  it("fails the passes meanwhile, keeps the sync polling, and catches up on every asset afterwards", async () => {
    h = await createFakeMuxHarness({
      env: { POLLING_INTERVAL_SECONDS: String(INTERVAL_S), RENDITION_GRACE_SECONDS: "0" },
      // Every webhook is lost: only the poller can find what happens during the outage.
      fake: { faults: { dropRate: 1 }, signingKey: { id: "k", privateKeyBase64: "unused" } },
    });
    const before = Array.from({ length: 5 }, () =>
      h.fake.createAsset({ status: "ready", mp4Support: "standard" }),
    );
    await interval();
    expect(sql<{ n: number }>("SELECT COUNT(*) AS n FROM objects WHERE state = 'ready'")[0]?.n).toBe(5);

    // The outage: every call to the API fails at the network level.
    let down = true;
    let callsWhileDown = 0;
    network.use(
      http.all("https://api.mux.com/*", () => {
        if (!down) return undefined;
        callsWhileDown++;
        return HttpResponse.error();
      }),
    );
    const during = [];
    for (let i = 0; i < 10; i++) {
      during.push(h.fake.createAsset({ status: "ready", mp4Support: "standard" }));
      await interval();
    }
    // It does not hammer an API that is down: a few attempts per interval, spaced by backoff.
    console.log(`Mux calls during 10 intervals of outage: ${callsWhileDown}`);
    expect(callsWhileDown).toBeLessThanOrEqual(10 * 5);
    const failedRuns = sql<{ status: string }>("SELECT status FROM runs WHERE status = 'failed'");
    expect(failedRuns.length).toBeGreaterThanOrEqual(8);
    // Failing for a transient reason is not a reason to stop polling: no person is needed.
    expect(sql<{ status: string }>("SELECT status FROM syncs")).toEqual([{ status: "active" }]);

    down = false;
    for (let i = 0; i < 3; i++) await interval();
    const states = sql<{ asset_id: string; state: string }>("SELECT asset_id, state FROM objects");
    const byAsset = new Map(states.map((row) => [row.asset_id, row.state]));
    for (const asset of [...before, ...during]) expect(byAsset.get(asset.id), asset.id).toBe("ready");
    const last = sql<{ status: string; repaired: number }>(
      "SELECT status, repaired FROM runs ORDER BY started_at DESC LIMIT 1",
    )[0];
    expect(last?.status).toBe("succeeded");
    expect(sql<{ n: number }>("SELECT COALESCE(SUM(repaired), 0) AS n FROM runs")[0]?.n).toBe(10);
    expect(
      sql<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('pending','running')")[0]?.n,
    ).toBe(0);
  });
});
