/**
 * The console's remaining actions in headless Chromium (Debian's chromium, driven by
 * playwright-core) against a real `mux-ingest serve`: a delivery's attempts on an object's story,
 * "create the MP4 now" by keyboard alone until the asset reaches the pipeline, and each
 * suspension cleared from the new pages: resume after failing passes (connections page), confirm
 * the deletions the guard held (a sync's page, JavaScript off), re-pin to the token's environment
 * (a sync's page, keyboard; the guard then holds the old environment's assets). Each page state gets an axe-core check (no serious or critical
 * violation); screenshots go to test-results/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { expectAccessible } from "../helpers/axe";
import { launchChromium, screenshot, tabTo, textOf, watchedPage } from "../helpers/browser";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const TOKEN_ID = "7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";
const TOKEN_SECRET = "console-actions-e2e-token-secret";
const ADMIN_TOKEN = "console-actions-admin-token-01234";
const PIPELINE_SECRET = "whsec_Y29uc29sZS1hY3Rpb25zLWUyZS1waXBlbGluZS1zZWNyZXQ=";
const PROD = {
  id: "pr0dacts",
  name: "Production",
  tokenId: "8e9f0a1b-2c3d-4e4f-9a5b-6c7d8e9f0a1b",
  tokenSecret: "console-actions-prod-token-secret",
  webhookSecret: "console-actions-prod-webhook-secret",
  webhookUrl: null,
};
const SYNC_PAGE = "/dashboard/buckets/bkt_default/syncs/syn_default";

let fake: RunningFakeMux;
let serve: ServeProcess;
let browser: Browser;
let pipeline: Server;
let dir: string;
const clips: string[] = [];
let flaky = "";
/** Only a 1080p static rendition, which Mux skipped (its source is 720p): asking for `highest` beside it is refused. */
let clash = "";
/** Deliveries of the flaky asset the pipeline has answered so far (the first is refused). */
let flakyAnswers = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-console-actions-"));
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookUrl: null,
    rateLimit: null,
  });
  for (let i = 1; i <= 8; i++)
    clips.push(
      fake.fake.createAsset({ status: "ready", mp4Support: "standard", meta: { title: `Clip ${i}` } }).id,
    );
  flaky = fake.fake.createAsset({ status: "ready", mp4Support: "standard", meta: { title: "Flaky" } }).id;
  clash = fake.fake.createAsset({
    status: "ready",
    staticRenditions: ["1080p"],
    width: 1280,
    height: 720,
    meta: { title: "Only a 1080p asked for" },
  }).id;
  pipeline = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const assetId = (JSON.parse(body) as { data?: { source?: { asset_id?: string } } }).data?.source
        ?.asset_id;
      const refuse = assetId === flaky && flakyAnswers++ === 0;
      res.writeHead(refuse ? 503 : 200).end(refuse ? "busy, try later" : "");
    });
  });
  await new Promise<void>((done) => pipeline.listen(0, "127.0.0.1", done));
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    ENCRYPTION_KEY: "console-actions-e2e-encryption-key-0123",
    ADMIN_TOKEN,
    PIPELINE_URL: `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/hook`,
    PIPELINE_SECRET,
    JOB_MAX_ATTEMPTS: "3",
    POLLING_INTERVAL_SECONDS: "3600",
    CREATE_RENDITIONS: "highest",
    SUSPEND_AFTER_FAILED_PASSES: "1",
    DELETION_GUARD_PERCENT: "20",
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await fake?.close();
  await new Promise<void>((done) => (pipeline ? pipeline.close(() => done()) : done()));
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${serve.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json", ...init.headers },
  });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

type ObjectState = { state: string; reason: string | null; id: string };
const objectOf = (assetId: string) => api<ObjectState>(`/v1/buckets/bkt_default/objects/${assetId}`);
const byState = async () =>
  (await api<{ objects: { by_state: Record<string, number> } }>("/v1/buckets/bkt_default")).objects.by_state;
const syncRow = () =>
  api<{ status: string; suspension: string | null }>("/v1/buckets/bkt_default/syncs/syn_default");

/** Asks for a pass; one already queued or running answers 409, which is as good. */
async function trigger(): Promise<void> {
  const res = await fetch(`${serve.url}/v1/buckets/bkt_default/syncs/syn_default/trigger`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect([202, 409]).toContain(res.status);
}

let graceSeconds = 3600;
/** A full sweep, as a change of the sync's rules starts one (every object judged again, the missing found). */
async function fullPass(): Promise<void> {
  graceSeconds += 60;
  await api("/v1/buckets/bkt_default/syncs/syn_default", {
    method: "PATCH",
    body: JSON.stringify({ wait_for_grace_seconds: graceSeconds }),
  });
}

describe("the console's actions in Chromium", () => {
  it("settles: nine delivered (one after a refusal), one whose MP4 Mux refused to make", async () => {
    await expect.poll(byState, { timeout: 30_000, interval: 200 }).toEqual({ delivered: 9, skipped: 1 });
    expect(await objectOf(clash)).toMatchObject({ state: "skipped", reason: "no_static_renditions" });
    expect(fake.fake.stats().renditions.creates).toEqual({ [`${clash}/highest`]: 1 });
  });

  it("an object's story lists each attempt of its delivery with the pipeline's answer", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.goto(`${serve.url}/dashboard/objects/${(await objectOf(flaky)).id}`);
    await page.waitForSelector("[data-testid=timeline]");
    const attempts = await page.$$eval("[data-testid=attempt]", (items) =>
      items.map((i) => i.textContent ?? ""),
    );
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatch(/attempt 2 .*HTTP 200/);
    expect(attempts[1]).toMatch(/attempt 1 .*HTTP 503 · busy, try later/);
    await expectAccessible(page, "object story with attempts");
    await screenshot(page, "console-object-attempts.png");
    expect(problems).toEqual([]);
    await close();
  });

  it("create the MP4 now, by keyboard alone, once the file in the way is gone: the asset reaches the pipeline", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.goto(`${serve.url}/dashboard/objects/${(await objectOf(clash)).id}`);
    expect(await textOf(page, "object-message")).toContain(
      "cannot be combined with the existing 1080p rendition",
    );
    expect(await page.$("[data-testid=mp4-hint]")).toBeNull();
    await expectAccessible(page, "object story offering create the MP4 now");
    // A person deletes the skipped 1080p file in Mux, then asks again from the console.
    fake.fake.deleteStaticRendition(clash, "1080p.mp4");
    await tabTo(page, "[data-testid=create-mp4]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=notice]");
    expect(await textOf(page, "notice")).toContain("create_renditions are asked for");
    await expect
      .poll(() => fake.fake.stats().renditions.creates[`${clash}/highest`], { timeout: 10_000 })
      .toBe(2);
    // No webhooks reach this service: a pass notices the file Mux made.
    await expect
      .poll(
        async () => {
          const { state } = await objectOf(clash);
          if (state !== "delivered") await trigger();
          return state;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe("delivered");
    expect(problems).toEqual([]);
    await close();
  });

  it("resume after failing passes, from the connections page", async () => {
    // The token loses its video permissions: Mux answers 403, which a person must fix.
    fake.fake.setTokenPermissions(TOKEN_ID, ["system:read"]);
    await trigger();
    await expect
      .poll(async () => (await syncRow()).suspension, { timeout: 30_000, interval: 300 })
      .toBe("failing");
    fake.fake.setTokenPermissions(TOKEN_ID, ["video:read", "video:write", "system:read", "system:write"]);
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.goto(`${serve.url}/dashboard/connections`);
    expect(await textOf(page, "sync-syn_default-health")).toContain("failing");
    await expectAccessible(page, "connections with a failing sync");
    await page.click("[data-testid=sync-syn_default-resume]");
    await page.waitForSelector("[data-testid=notice]");
    expect(page.url()).toContain("/dashboard/connections?notice=resumed");
    await expect.poll(async () => (await syncRow()).status, { timeout: 10_000 }).toBe("active");
    expect(problems).toEqual([]);
    await close();
  });

  it("confirm the deletions the guard held, on a sync's page with JavaScript off", async () => {
    // Five gone at once without a webhook: past the guard's minimum and its 20 % of the members.
    const gone = clips.slice(0, 5);
    for (const id of gone) fake.fake.deleteAsset(id);
    await fullPass();
    await expect
      .poll(async () => (await syncRow()).suspension, { timeout: 30_000, interval: 300 })
      .toBe("deletion_guard");
    const checked = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await checked.page.goto(`${serve.url}${SYNC_PAGE}`);
    expect(await textOf(checked.page, "sync-syn_default-health")).toContain("deletion guard");
    await expectAccessible(checked.page, "sync held by the deletion guard");
    await screenshot(checked.page, "console-sync-deletion-guard.png");
    expect(checked.problems).toEqual([]);
    await checked.close();
    // The confirmation itself with JavaScript off: a plain form post.
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN, {
      javaScriptEnabled: false,
    });
    await page.goto(`${serve.url}${SYNC_PAGE}`);
    await page.click("[data-testid=sync-syn_default-confirm-deletions]");
    await page.waitForSelector("[data-testid=notice]");
    expect(page.url()).toContain(`${SYNC_PAGE}?notice=deletions_confirmed`);
    await expect
      .poll(async () => Promise.all(gone.map(async (id) => (await objectOf(id)).state)), { timeout: 20_000 })
      .toEqual(gone.map(() => "deleted"));
    expect(problems).toEqual([]);
    await close();
  });

  it("re-pin to the token's environment, on a sync's page by keyboard", async () => {
    fake.fake.addEnvironment(PROD);
    await api("/v1/connections/con_default", {
      method: "PATCH",
      body: JSON.stringify({ access_token_id: PROD.tokenId, access_token_secret: PROD.tokenSecret }),
    });
    await expect
      .poll(async () => (await syncRow()).suspension, { timeout: 20_000, interval: 300 })
      .toBe("environment_changed");
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.goto(`${serve.url}${SYNC_PAGE}`);
    await expectAccessible(page, "sync whose token reaches another environment");
    await tabTo(page, "[data-testid=sync-syn_default-repin] button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=notice]");
    expect(page.url()).toContain(`${SYNC_PAGE}?notice=repinned`);
    expect(await api<{ environment: { id: string } }>("/v1/connections/con_default")).toMatchObject({
      environment: { id: PROD.id },
    });
    // The new environment has none of the old one's assets: its first full pass finds every member
    // missing, and the deletion guard holds them rather than emptying the pipeline's set.
    await expect
      .poll(async () => (await syncRow()).suspension, { timeout: 20_000, interval: 300 })
      .toBe("deletion_guard");
    expect((await byState()).deleted).toBe(5);
    expect(problems).toEqual([]);
    await close();
  });
});
