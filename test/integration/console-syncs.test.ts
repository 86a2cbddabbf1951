/**
 * The console's connections and syncs pages through the app: a sync's runs a page at a time,
 * newest first, with their counters and durations; a sync's page (its settings, last runs and
 * objects); the connections page (pinned environment, last test, health, suspension and the
 * action that clears it); "test now"; signed out every page is the sign-in form, and a sync
 * that is not there is a 404 page.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pageRuns } from "../../src/resources/sync-runs";
import { ADMIN_TOKEN, type AdminHarness, createAdminHarness, PIPELINE_URL } from "../helpers/admin-api";

let h: AdminHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SYNC = "/dashboard/buckets/bkt_default/syncs/syn_default";

async function get(a: AdminHarness, path: string, headers: Record<string, string> = bearer) {
  const res = await a.app.request(path, { headers });
  return { status: res.status, html: await res.text(), location: res.headers.get("location") };
}

async function harness(env: Record<string, string> = {}) {
  h = await createAdminHarness({ PIPELINE_URL, JOB_MAX_ATTEMPTS: "1", ...env });
  await h.settleAll();
  return h;
}

/** Run rows for the default sync, started a minute apart (the `i`th at minute `i`), as the poller writes them. */
function insertRuns(a: AdminHarness, count: number, at = 1_700_000_000_000) {
  const insert = a.database.sqlite.prepare(
    `INSERT INTO runs (id, sync_id, kind, status, started_at, finished_at, pages, api_calls, assets_seen, enqueued, repaired, rechecked, errors, order_violation, message)
     VALUES (?, 'syn_default', 'scheduled', 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < count; i++)
    insert.run(
      `run_t${String(i).padStart(3, "0")}`,
      at + i * 60_000,
      at + i * 60_000 + 65_000,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      i % 2,
      `msg ${i}`,
    );
}

/** The run ids a page lists, in order. */
const listedRuns = (html: string) => [...html.matchAll(/data-testid="run-(run_[^"-]+)"/g)].map((m) => m[1]);

describe("a sync's runs page", () => {
  it("lists each run's counters and duration, newest first, a page at a time to the oldest", async () => {
    const a = await harness();
    a.database.sqlite.prepare("DELETE FROM runs").run();
    insertRuns(a, 120);
    const first = await get(a, `${SYNC}/runs`);
    expect(first.status).toBe(200);
    const ids = listedRuns(first.html);
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe("run_t119");
    expect(first.html).toContain('data-testid="run-run_t119-api_calls">2<');
    expect(first.html).toContain('data-testid="run-run_t119-repaired">5<');
    expect(first.html).toContain('data-testid="run-run_t119-errors">7<');
    expect(first.html).toContain('data-testid="run-run_t119-duration">1 min 5 s<');
    expect(first.html).toContain("not newest first: swept in full");
    const seen = [...ids];
    let html = first.html;
    for (;;) {
      const next = /href="([^"]+)" rel="next"/.exec(html)?.[1];
      if (!next) break;
      html = (await get(a, next.replaceAll("&amp;", "&"))).html;
      seen.push(...listedRuns(html));
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `run_t${String(119 - i).padStart(3, "0")}`));
  });

  it("breaks ties of the same start by insertion, never repeating or skipping a run", async () => {
    const a = await harness();
    a.database.sqlite.prepare("DELETE FROM runs").run();
    const insert = a.database.sqlite.prepare(
      "INSERT INTO runs (id, sync_id, kind, status, started_at) VALUES (?, 'syn_default', 'scheduled', 'running', 5)",
    );
    for (const id of ["run_c", "run_a", "run_b"]) insert.run(id);
    const ref = { bucketId: "bkt_default", syncId: "syn_default" };
    const one = await pageRuns(a.deps, { ...ref, limit: 2 });
    const two = await pageRuns(a.deps, { ...ref, limit: 2, cursor: one.next_cursor ?? "" });
    expect([...one.data, ...two.data].map((r) => r.id)).toEqual(["run_b", "run_a", "run_c"]);
    expect(one.data[0]?.duration_ms).toBeNull();
    expect(two.has_more).toBe(false);
  });

  it("is a 404 page for a sync that is not there, a 400 page for a cursor it did not make, the sign-in form signed out", async () => {
    const a = await harness();
    expect((await get(a, "/dashboard/buckets/bkt_default/syncs/syn_nope/runs")).status).toBe(404);
    const forged = await get(a, `${SYNC}/runs?cursor=${encodeURIComponent(btoa('["objects",1,2]'))}`);
    expect(forged.status).toBe(400);
    expect(forged.html).toContain("check: cursor");
    expect((await get(a, `${SYNC}/runs`, {})).status).toBe(401);
  });
});
