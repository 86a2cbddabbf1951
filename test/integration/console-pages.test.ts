/**
 * The console's pages through the app: the objects browser (counts linking to the filtered lists,
 * filters, searches by asset id, title, passthrough and external id, paging, a filtered page that
 * stops looking after a bounded number of objects), an object's story (meaning in plain words,
 * retry and re-deliver through their forms, the MP4 hint, the timeline a page at a time, Mux's
 * renditions and dashboard link on request), the dead letters page and its actions, and "find an
 * asset"; signed out every page is the sign-in form, and what is not there is a 404 page.
 */
import { http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { browseObjects, EXAMINED_PER_PAGE } from "../../src/resources/object-browser";
import { readObjectStory } from "../../src/resources/object-story";
import { TIMELINE_PAGE } from "../../src/resources/object-timeline";
import { ADMIN_TOKEN, type AdminHarness, createAdminHarness, PIPELINE_URL } from "../helpers/admin-api";
import { csrfOf, postForm, signIn } from "../helpers/dashboard-client";
import { network } from "../helpers/no-network";

let h: AdminHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function settle(a: AdminHarness) {
  await a.settleAll();
  await a.fake.settle();
  await a.settleAll();
}

async function get(a: AdminHarness, path: string, headers: Record<string, string> = bearer) {
  const res = await a.app.request(path, { headers });
  return { status: res.status, html: await res.text(), location: res.headers.get("location") };
}

async function harness(env: Record<string, string> = {}) {
  h = await createAdminHarness({ PIPELINE_URL, JOB_MAX_ATTEMPTS: "1", ...env });
  return h;
}

/** The asset ids a browser page lists, in order. */
function listed(html: string): string[] {
  return [...html.matchAll(/data-testid="object-([^"]+)"/g)].map((m) => m[1] ?? "");
}

function objectIdOf(a: AdminHarness, assetId: string): string {
  return String(a.objectOf(assetId)?.id);
}

describe("the objects browser", () => {
  it("counts by state and reason from the trigger-kept rows, each a link to the filtered list", async () => {
    const a = await harness();
    const good = a.fake.createAsset({ mp4Support: "standard" });
    const unplayable = a.fake.createAsset({ playbackPolicies: [] });
    await settle(a);
    const { status, html } = await get(a, "/dashboard/buckets/bkt_default/objects");
    expect(status).toBe(200);
    expect(html).toContain('data-testid="objects-total">2<');
    expect(html).toContain('href="/dashboard/buckets/bkt_default/objects?state=delivered"');
    expect(html).toContain('href="/dashboard/buckets/bkt_default/objects?reason=no_playback_id"');
    expect(listed((await get(a, "/dashboard/buckets/bkt_default/objects?state=delivered")).html)).toEqual([
      good.id,
    ]);
    expect(
      listed((await get(a, "/dashboard/buckets/bkt_default/objects?reason=no_playback_id")).html),
    ).toEqual([unplayable.id]);
    const both = await get(a, "/dashboard/buckets/bkt_default/objects?state=delivered&reason=no_playback_id");
    expect(listed(both.html)).toEqual([]);
    expect(both.html).toContain("No object matches.");
  });

  it("searches by asset id (exact case), and title, passthrough or external id (any case of A–Z), from their start", async () => {
    const a = await harness();
    const clips = [0, 1, 2].map((i) =>
      a.fake.createAsset({
        mp4Support: "standard",
        passthrough: `PT-${i}-x`,
        meta: { title: `Clip ${i} <b>`, external_id: `Ext/${i}` },
      }),
    );
    await settle(a);
    const search = async (field: string, q: string) =>
      listed(
        (await get(a, `/dashboard/buckets/bkt_default/objects?${new URLSearchParams({ field, q })}`)).html,
      ).sort();
    const id = clips[1]?.id ?? "";
    expect(await search("asset_id", id.slice(0, 12))).toEqual([id]);
    expect(
      await search(
        "asset_id",
        id.slice(0, 12).toLowerCase() === id.slice(0, 12) ? "~" : id.slice(0, 12).toLowerCase(),
      ),
    ).toEqual([]);
    expect(await search("title", "clip 1")).toEqual([id]);
    expect(await search("title", "CLIP")).toEqual(clips.map((c) => c.id).sort());
    expect(await search("title", "lip")).toEqual([]);
    expect(await search("passthrough", "pt-2")).toEqual([clips[2]?.id]);
    expect(await search("external_id", "ext/0")).toEqual([clips[0]?.id]);
    const bad = await get(a, "/dashboard/buckets/bkt_default/objects?field=secret&state=lost");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("check: field, state");
    expect((await get(a, "/dashboard/buckets/bkt_default/objects?cursor=zzz")).status).toBe(400);
    expect((await get(a, "/dashboard/buckets/bkt_nope/objects")).status).toBe(404);
  });

  it("pages every object once, newest change first, and in search order", async () => {
    const a = await harness();
    const made = Array.from({ length: 7 }, (_, i) =>
      a.fake.createAsset({ mp4Support: "standard", meta: { title: `Same ${i}` } }),
    );
    await settle(a);
    for (const search of [undefined, { field: "title" as const, term: "same" }]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await browseObjects(a.deps, {
          bucketId: "bkt_default",
          query: { limit: 3, ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) },
        });
        seen.push(...page.data.map((o) => o.asset_id));
        if (!page.has_more || !page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(seen.sort()).toEqual(made.map((m) => m.id).sort());
    }
  });

  it("looks at a bounded number of objects for a filter its index cannot apply, and carries on from there", async () => {
    const a = await harness();
    const insert = a.database.sqlite.prepare(
      `INSERT INTO objects (id, bucket_id, sync_id, asset_id, state, reason, metadata, write_token, discovered_via, state_changed_at, created_at, updated_at)
       VALUES (?, 'bkt_default', 'syn_default', ?, ?, ?, ?, 't', 'poll', 0, 0, 0)`,
    );
    const history = a.database.sqlite.prepare(
      "INSERT INTO object_history (object_id, state, at) VALUES (?, 'ready', 0)",
    );
    a.database.sqlite.transaction(() => {
      // The last one is the only skipped object titled "Match": a search finds it only past the window.
      const last = EXAMINED_PER_PAGE + 10;
      for (let i = 0; i <= last; i++) {
        const skipped = i === last;
        insert.run(
          `obj_bulk${i}`,
          `asset${String(i).padStart(5, "0")}`,
          skipped ? "skipped" : "delivered",
          skipped ? "filtered" : null,
          JSON.stringify({ title: "Match" }),
        );
        history.run(`obj_bulk${i}`);
      }
    })();
    const query = {
      state: "skipped" as const,
      search: { field: "title" as const, term: "match" },
      limit: 10,
    };
    const first = await browseObjects(a.deps, { bucketId: "bkt_default", query });
    expect(first.data).toEqual([]);
    expect(first.has_more).toBe(true);
    const second = await browseObjects(a.deps, {
      bucketId: "bkt_default",
      query: { ...query, cursor: first.next_cursor ?? "" },
    });
    expect(second.data.map((o) => o.id)).toEqual([`obj_bulk${EXAMINED_PER_PAGE + 10}`]);
    expect(second.has_more).toBe(false);
    const html = (await get(a, "/dashboard/buckets/bkt_default/objects?field=title&q=match&state=skipped"))
      .html;
    expect(html).toContain("None of the objects looked at so far matches");
    expect(html).toContain('data-testid="next-page"');
  });
});

describe("an object's story", () => {
  it("says why it failed and how to fix it, retries it from its form, then offers a re-delivery", async () => {
    const a = await harness();
    a.pipelineAnswers(503);
    const asset = a.fake.createAsset({ mp4Support: "standard", meta: { title: "Launch" } });
    await settle(a);
    const id = objectIdOf(a, asset.id);
    const { cookie } = await signIn(a.app, ADMIN_TOKEN);
    const story = await get(a, `/dashboard/objects/${id}`, { cookie });
    expect(story.status).toBe(200);
    expect(story.html).toContain("The pipeline did not accept the delivery on any attempt.");
    expect(story.html).toContain("then retry the object");
    expect(story.html).toContain('data-testid="retry"');
    expect(story.html).not.toContain('data-testid="redeliver"');
    expect(story.html).toContain(`GET /v1/buckets/bkt_default/objects/${asset.id}`);
    expect(story.html).toMatch(/HTTP 503/);

    a.pipelineAnswers(200);
    const csrf = await csrfOf(a.app, cookie);
    const retried = await postForm(a.app, "/dashboard/object-retry", `object_id=${id}&csrf=${csrf}`, {
      cookie,
    });
    expect(retried.status).toBe(303);
    expect(retried.headers.get("location")).toBe(`/dashboard/objects/${id}?notice=retry_queued`);
    await settle(a);
    expect(a.objectOf(asset.id)).toMatchObject({ state: "delivered" });
    const after = await get(a, `/dashboard/objects/${id}?notice=retry_queued`, { cookie });
    expect(after.html).toContain("Retry queued");
    expect(after.html).toContain('data-testid="redeliver"');

    const ids: string[] = [];
    network.use(
      http.post(PIPELINE_URL, ({ request }) => {
        ids.push(request.headers.get("webhook-id") ?? "");
      }),
    );
    const again = await postForm(a.app, "/dashboard/object-redeliver", `object_id=${id}&csrf=${csrf}`, {
      cookie,
    });
    expect(again.headers.get("location")).toBe(`/dashboard/objects/${id}?notice=redelivery_queued`);
    await settle(a);
    const newest = a.database.sqlite
      .prepare("SELECT id FROM deliveries WHERE object_id = ? ORDER BY object_version DESC LIMIT 1")
      .pluck()
      .get(id);
    expect(ids).toEqual([newest]);
    const refused = await postForm(a.app, "/dashboard/object-retry", `object_id=${id}&csrf=${csrf}`, {
      cookie,
    });
    expect(refused.headers.get("location")).toBe(`/dashboard/objects/${id}?error=retry&code=CONFLICT`);
    const forged = await postForm(a.app, "/dashboard/object-retry", `object_id=//evil.example&csrf=${csrf}`, {
      cookie,
    });
    expect(forged.headers.get("location")).toBe("/?error=retry&code=NOT_FOUND");
  });

  it("for no_static_renditions shows the MP4 hint, and reads Mux's renditions and dashboard link on request", async () => {
    const a = await harness({ RENDITION_GRACE_SECONDS: "0" });
    const asset = a.fake.createAsset({ status: "ready" });
    expect((await a.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger")).status).toBe(202);
    await settle(a);
    expect(a.objectOf(asset.id)).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
    const id = objectIdOf(a, asset.id);
    const story = await get(a, `/dashboard/objects/${id}`);
    expect(story.html).toContain('data-testid="mp4-hint"');
    expect(story.html).toContain("set create_renditions on the");
    expect(story.html).not.toContain('data-testid="mux-renditions"');
    const read = await get(a, `/dashboard/objects/${id}?mux=renditions`);
    expect(read.html).toContain('data-testid="mux-renditions"');
    const link = await get(a, `/dashboard/objects/${id}/mux-dashboard`);
    expect(link.status).toBe(302);
    expect(link.location).toMatch(
      new RegExp(
        `^https://dashboard\\.mux\\.com/organizations/fakeorg/environments/[A-Za-z0-9_-]+/video/assets/${asset.id}$`,
      ),
    );

    const delivered = a.fake.createAsset({ mp4Support: "standard" });
    await settle(a);
    const files = await get(a, `/dashboard/objects/${objectIdOf(a, delivered.id)}?mux=renditions`);
    expect(files.html).toContain("(chosen)");
    expect(files.html).toMatch(/#1/);
  });

  it("pages the timeline, newest first, every entry once", async () => {
    const a = await harness();
    const asset = a.fake.createAsset({ mp4Support: "standard" });
    await settle(a);
    for (let i = 0; i < 20; i++) {
      a.clock.advance(1_000);
      a.fake.updateAsset(asset.id, { meta: { title: `Edit ${i}` } });
      await settle(a);
    }
    const id = objectIdOf(a, asset.id);
    const entries: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const story = await readObjectStory(a.deps, { objectId: id, ...(cursor ? { cursor } : {}) });
      expect(story.timeline.length).toBeLessThanOrEqual(TIMELINE_PAGE);
      entries.push(...story.timeline.map((e) => JSON.stringify(e)));
      pages++;
      if (!story.older_cursor) break;
      cursor = story.older_cursor;
    }
    expect(pages).toBeGreaterThan(1);
    const count = (sql: string, ...params: unknown[]) =>
      (a.database.sqlite.prepare(sql).get(...params) as { n: number }).n;
    const kinds = entries.map((e) => (JSON.parse(e) as { kind: string }).kind);
    // Every row of each source exactly once across the pages.
    expect(kinds.filter((k) => k === "state")).toHaveLength(
      count("SELECT COUNT(*) AS n FROM object_history WHERE object_id = ?", id),
    );
    expect(kinds.filter((k) => k === "delivery")).toHaveLength(
      count("SELECT COUNT(*) AS n FROM deliveries WHERE object_id = ?", id),
    );
    expect(kinds.filter((k) => k === "webhook")).toHaveLength(
      count("SELECT COUNT(*) AS n FROM webhook_events WHERE asset_id = ?", asset.id),
    );
    expect(kinds.filter((k) => k === "webhook").length).toBeGreaterThanOrEqual(20);
    const times = entries.map((e) => Date.parse((JSON.parse(e) as { at: string }).at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const html = (await get(a, `/dashboard/objects/${id}`)).html;
    expect(html).toContain('data-testid="older"');
    expect((await get(a, `/dashboard/objects/${id}?cursor=bogus`)).status).toBe(400);
    expect((await get(a, "/dashboard/objects/obj_nope")).status).toBe(404);
  });
});

describe("the dead letters page, find, and access", () => {
  it("lists dead letters, replays one, purges one and replays the rest by filter", async () => {
    const a = await harness();
    a.pipelineAnswers(503);
    const assets = [0, 1, 2].map(() => a.fake.createAsset({ mp4Support: "standard" }).id);
    await settle(a);
    const { cookie } = await signIn(a.app, ADMIN_TOKEN);
    const list = await get(a, "/dashboard/dead-letters?type=deliver", { cookie });
    expect(list.status).toBe(200);
    const jobs = [...list.html.matchAll(/data-testid="dead-(job_[^"]+)"/g)].map((m) => m[1] ?? "");
    expect(jobs).toHaveLength(3);
    for (const asset of assets) expect(list.html).toContain(asset);
    a.pipelineAnswers(200);
    const csrf = await csrfOf(a.app, cookie);
    const one = await postForm(
      a.app,
      "/dashboard/dead-letters/replay-one",
      `job_id=${jobs[0]}&type=deliver&csrf=${csrf}`,
      {
        cookie,
      },
    );
    expect(one.headers.get("location")).toBe(
      "/dashboard/dead-letters?type=deliver&notice=dead_letter_replayed",
    );
    const purge = await postForm(a.app, "/dashboard/dead-letters/purge", `job_id=${jobs[1]}&csrf=${csrf}`, {
      cookie,
    });
    expect(purge.headers.get("location")).toBe("/dashboard/dead-letters?notice=dead_letter_purged");
    const bulk = await postForm(a.app, "/dashboard/dead-letters/replay", `type=deliver&csrf=${csrf}`, {
      cookie,
    });
    expect(bulk.headers.get("location")).toBe(
      "/dashboard/dead-letters?type=deliver&notice=dead_letters_replayed",
    );
    await settle(a);
    expect(assets.map((id) => a.objectOf(id)?.state).sort()).toEqual(["delivered", "delivered", "failed"]);
    expect((await get(a, "/dashboard/dead-letters", { cookie })).html).toContain("No dead letters.");
    const gone = await postForm(a.app, "/dashboard/dead-letters/purge", `job_id=${jobs[1]}&csrf=${csrf}`, {
      cookie,
    });
    expect(gone.headers.get("location")).toBe("/dashboard/dead-letters?error=purge&code=NOT_FOUND");
  });

  it("finds an asset by id (straight to its story), or searches for it", async () => {
    const a = await harness();
    const asset = a.fake.createAsset({ mp4Support: "standard", meta: { title: "Keynote" } });
    await settle(a);
    const exact = await get(a, `/dashboard/find?q=${asset.id}`);
    expect(exact.status).toBe(303);
    expect(exact.location).toBe(`/dashboard/objects/${objectIdOf(a, asset.id)}`);
    const other = await get(a, "/dashboard/find?q=Keynote%20talk");
    expect(other.location).toBe("/dashboard/buckets/bkt_default/objects?field=title&q=Keynote+talk");
    expect((await get(a, "/dashboard/objects")).location).toBe("/dashboard/buckets/bkt_default/objects");
  });

  it("shows every page only to a session or the bearer", async () => {
    const a = await harness();
    const asset = a.fake.createAsset({ mp4Support: "standard" });
    await settle(a);
    const id = objectIdOf(a, asset.id);
    for (const path of [
      "/dashboard/objects",
      "/dashboard/buckets/bkt_default/objects",
      `/dashboard/objects/${id}`,
      `/dashboard/objects/${id}/mux-dashboard`,
      "/dashboard/dead-letters",
      `/dashboard/find?q=${asset.id}`,
    ]) {
      const out = await get(a, path, {});
      expect(out.status, path).toBe(401);
      expect(out.html, path).toContain('name="token"');
      expect(out.html, path).not.toContain(asset.id);
    }
  });
});
