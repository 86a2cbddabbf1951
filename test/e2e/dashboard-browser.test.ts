/**
 * The dashboard in headless Chromium (Debian's chromium, driven by playwright-core) against a
 * real `mux-ingest serve` with data: sign in, compare the numbers shown with the API, retry a
 * failed object, sign out, and keep a screenshot (test-results/dashboard.png). The strict CSP
 * must not break the pages: the browser reports no violation, and the stylesheet is applied; axe-core
 * finds no serious or critical violation.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";
import { expectAccessible } from "../helpers/axe";
import { launchChromium } from "../helpers/browser";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN_ID = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";
const TOKEN_SECRET = "dashboard-e2e-token-secret-d00d";
const ADMIN_TOKEN = "dashboard-admin-token-0123456789";
const PIPELINE_SECRET = "whsec_ZGFzaGJvYXJkLWUyZS1waXBlbGluZS1zZWNyZXQ=";
const ROOT = resolve(import.meta.dirname, "../..");

let fake: RunningFakeMux;
let serve: ServeProcess;
let browser: Browser;
let pipeline: Server;
let dir: string;
/** The pipeline refuses this asset's deliveries until told otherwise. */
let refusedAsset: string | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-dashboard-"));
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookUrl: null,
    rateLimit: null,
  });
  const assets = Array.from({ length: 6 }, (_, i) =>
    fake.fake.createAsset({ status: "ready", mp4Support: "standard", meta: { title: `Clip ${i + 1}` } }),
  );
  fake.fake.createAsset({ status: "ready", playbackPolicies: [] });
  refusedAsset = assets[2]?.id ?? null;
  pipeline = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const assetId = (JSON.parse(body) as { data?: { source?: { asset_id?: string } } }).data?.source
        ?.asset_id;
      res.writeHead(assetId !== undefined && assetId === refusedAsset ? 500 : 200).end();
    });
  });
  await new Promise<void>((done) => pipeline.listen(0, "127.0.0.1", done));
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    ENCRYPTION_KEY: "dashboard-e2e-encryption-key-0123456789",
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

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${serve.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers },
  });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

type Bucket = { objects: { total: number; by_state: Record<string, number> } };
type Sync = { last_run: { status: string; repaired: number; assets_seen: number; enqueued: number } | null };

describe("the dashboard in Chromium", () => {
  it("shows the numbers the API reports, retries a failed object, and is screenshotted", async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    // Another process does the work: watch the API until the initial pass has settled (bounded).
    await expect
      .poll(async () => (await api<Bucket>("/v1/buckets/bkt_default")).objects.by_state, {
        timeout: 30_000,
        interval: 200,
      })
      .toEqual({ delivered: 5, failed: 1, skipped: 1 });
    const bucket = await api<Bucket>("/v1/buckets/bkt_default");
    const sync = await api<Sync>("/v1/buckets/bkt_default/syncs/syn_default");
    await api("/v1/connections/con_default/test", { method: "POST" });

    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    page.on("pageerror", (error) => violations.push(error.message));
    const response = await page.goto(`${serve.url}/`);
    expect(response?.status()).toBe(401);
    expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    // The stylesheet from /assets/ is applied (the login box is centred and white).
    expect(
      await page.evaluate(
        () => getComputedStyle(document.querySelector(".login") as Element).backgroundColor,
      ),
    ).toBe("rgb(255, 255, 255)");
    await page.fill("#token", "not-the-token");
    await page.click("button[type=submit]");
    expect(await page.textContent("body")).toContain("That is not the admin token.");
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=syncs]");

    const text = async (testId: string) => (await page.textContent(`[data-testid="${testId}"]`))?.trim();
    for (const state of ["delivered", "failed", "skipped", "ready", "waiting_for_rendition"]) {
      expect(await text(`count-bkt_default-${state}`), state).toBe(
        String(bucket.objects.by_state[state] ?? 0),
      );
    }
    expect(await text("bucket-bkt_default-total")).toBe(String(bucket.objects.total));
    expect(await text("sync-syn_default-repaired")).toBe(String(sync.last_run?.repaired));
    expect(await text("sync-syn_default-assets_seen")).toBe(String(sync.last_run?.assets_seen));
    expect(await text("sync-syn_default-enqueued")).toBe(String(sync.last_run?.enqueued));
    expect(await text("sync-syn_default-status")).toBe("active");
    expect(await text("connection-con_default-test")).toContain(
      'Mux accepted the credentials: environment "Fake Development"',
    );
    expect(await text(`failure-${refusedAsset}`)).toContain("delivery_failed");

    await expectAccessible(page, "dashboard");
    const html = await page.content();
    for (const secret of [TOKEN_SECRET, ADMIN_TOKEN, PIPELINE_SECRET]) expect(html).not.toContain(secret);
    expect(html).toContain("****d00d");

    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    const shot = join(ROOT, "test-results", "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    // The README's screenshot is refreshed on request only: a test run must not change tracked files.
    if (process.env.UPDATE_DOCS_SCREENSHOT === "1") copyFileSync(shot, join(ROOT, "docs", "dashboard.png"));

    const failed = await api<{ data: Array<{ asset_id: string }> }>(
      "/v1/buckets/bkt_default/objects?state=failed",
    );
    expect(failed.data.map((o) => o.asset_id)).toEqual([refusedAsset]);
    refusedAsset = null; // the pipeline accepts it now
    await page.click(`[data-testid="retry-${failed.data[0]?.asset_id}"]`);
    await page.waitForSelector("[data-testid=notice]");
    expect(await text("notice")).toBe("Retry queued: the object is ingested again.");
    await expect
      .poll(async () => (await api<Bucket>("/v1/buckets/bkt_default")).objects.by_state, {
        timeout: 15_000,
        interval: 200,
      })
      .toEqual({ delivered: 6, skipped: 1 });
    await page.goto(`${serve.url}/`);
    expect(await text("count-bkt_default-failed")).toBe("0");
    expect(await text("count-bkt_default-delivered")).toBe("6");
    expect(await page.isVisible("[data-testid=no-failures]")).toBe(true);

    // Signing out ends the session on the server: the page is the sign-in form again.
    await page.click("button.link");
    await page.waitForSelector("#token");
    expect(await text("notice")).toBe("Signed out.");
    expect((await page.goto(`${serve.url}/`))?.status()).toBe(401);
    await page.goto(`${serve.url}/docs`);
    await page.waitForSelector("nav");
    expect(violations).toEqual([]);
    await page.close();
  });
});
