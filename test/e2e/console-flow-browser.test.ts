/**
 * The console's connections and syncs pages, a sync's runs and the activity charts in headless
 * Chromium (Debian's chromium, driven by playwright-core) against a real `mux-ingest serve`: each
 * page with an axe-core check (no serious or critical violation), "test now" by keyboard alone
 * and with JavaScript off, the way from a connection to its sync's runs by links, the charts as
 * images with their title and description, and an environment name from Mux that tries to inject
 * markup staying text. Screenshots go to test-results/ (and, on request, to docs/screenshots/).
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

const TOKEN_ID = "6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f";
const TOKEN_SECRET = "console-flow-e2e-token-secret-c0de";
const ADMIN_TOKEN = "console-flow-admin-token-0123456789";
const PIPELINE_SECRET = "whsec_Y29uc29sZS1mbG93LWUyZS1waXBlbGluZS1zZWNyZXQ=";
const HOSTILE_ENVIRONMENT = `<img src=x onerror="alert('env')"> Prod & "co"`;

let fake: RunningFakeMux;
let serve: ServeProcess;
let browser: Browser;
let pipeline: Server;
let dir: string;
let refusedAsset = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-console-flow-"));
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookUrl: null,
    rateLimit: null,
    environment: { id: "envfl0w", name: HOSTILE_ENVIRONMENT },
  });
  for (let i = 1; i <= 4; i++)
    fake.fake.createAsset({ status: "ready", mp4Support: "standard", meta: { title: `Clip ${i}` } });
  refusedAsset = fake.fake.createAsset({ status: "ready", mp4Support: "standard" }).id;
  pipeline = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const assetId = (JSON.parse(body) as { data?: { source?: { asset_id?: string } } }).data?.source
        ?.asset_id;
      res.writeHead(assetId === refusedAsset ? 500 : 200).end();
    });
  });
  await new Promise<void>((done) => pipeline.listen(0, "127.0.0.1", done));
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    ENCRYPTION_KEY: "console-flow-e2e-encryption-key-0123456789",
    ADMIN_TOKEN,
    PIPELINE_URL: `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/hook`,
    PIPELINE_SECRET,
    JOB_MAX_ATTEMPTS: "1",
    POLLING_INTERVAL_SECONDS: "3600",
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

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${serve.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

describe("the connections, syncs and activity pages in Chromium", () => {
  it("settles: four delivered, one refused by the pipeline", async () => {
    await expect
      .poll(
        async () =>
          (await api<{ objects: { by_state: Record<string, number> } }>("/v1/buckets/bkt_default")).objects
            .by_state,
        { timeout: 30_000, interval: 200 },
      )
      .toEqual({ delivered: 4, failed: 1 });
  });

  it("the connections page: the pinned environment as text, and test now by keyboard alone", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.click("nav[aria-label=Console] >> text=Connections and syncs");
    await page.waitForSelector("[data-testid=connection-con_default]");
    expect(await textOf(page, "connection-con_default-environment")).toContain(HOSTILE_ENVIRONMENT);
    expect(await page.$("main img")).toBeNull();
    expect(await textOf(page, "connection-con_default")).toContain("never tested");
    await expectAccessible(page, "connections");
    await tabTo(page, "[data-testid=connection-con_default-test-now]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=notice]");
    expect(await textOf(page, "notice")).toContain("Tested: Mux accepted");
    expect(await textOf(page, "connection-con_default-test")).toContain("passed");
    expect(await textOf(page, "sync-syn_default-health")).toContain("healthy");
    await expectAccessible(page, "connections (tested)");
    await screenshot(page, "console-connections.png");
    expect(problems).toEqual([]);
    await close();
  });

  it("a sync's page and its runs, reached by links", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.goto(`${serve.url}/dashboard/connections`);
    await page.click('a[href="/dashboard/buckets/bkt_default/syncs/syn_default"]');
    await page.waitForSelector("[data-testid=sync-settings]");
    expect(await textOf(page, "sync-objects-total")).toBe("5");
    expect(await textOf(page, "sync-count-failed")).toBe("1");
    expect(await textOf(page, "sync-syn_default-health")).toContain("healthy");
    await expectAccessible(page, "sync");
    await screenshot(page, "console-sync.png");
    await page.click("[data-testid=all-runs]");
    await page.waitForSelector("[data-testid=runs]");
    expect((await page.$$("[data-testid=runs] tbody tr")).length).toBeGreaterThan(0);
    await expectAccessible(page, "runs");
    await screenshot(page, "console-runs.png");
    expect(problems).toEqual([]);
    await close();
  });

  it("test now on a sync's page with JavaScript off: a plain form post, back to the same page", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN, {
      javaScriptEnabled: false,
    });
    await page.goto(`${serve.url}/dashboard/buckets/bkt_default/syncs/syn_default`);
    await page.click("[data-testid=connection-con_default-test-now]");
    await page.waitForSelector("[data-testid=notice]");
    expect(page.url()).toContain(
      "/dashboard/buckets/bkt_default/syncs/syn_default?notice=connection_test_passed",
    );
    expect(await textOf(page, "connection-con_default-test")).toContain("passed");
    expect(problems).toEqual([]);
    await close();
  });

  it("the activity page: each chart an image with a title and a description, the same numbers in a table", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.click("nav[aria-label=Console] >> text=Activity");
    await page.waitForSelector("[data-testid=chart-delivered]");
    expect(await textOf(page, "total-delivered")).toBe("4");
    expect(await textOf(page, "total-failures")).toBe("1");
    for (const id of ["webhooks", "delivered", "failures", "repairs", "mux_429", "latency"]) {
      const chart = page.locator(`[data-testid=chart-${id}]`);
      expect(await chart.getAttribute("role")).toBe("img");
      expect(await chart.locator("title").count()).toBe(1);
      expect(await chart.locator("desc").count()).toBe(1);
    }
    expect(await page.textContent("#delivered-desc")).toContain("4 deliveries in the last 24 hours");
    expect(await page.locator("[data-testid=chart-delivered] rect").count()).toBeGreaterThan(0);
    expect(await textOf(page, "latency-p50")).toMatch(/^p50 ≤ /);
    await expectAccessible(page, "activity");
    await screenshot(page, "console-activity.png");
    expect(problems).toEqual([]);
    await close();
  });
});
