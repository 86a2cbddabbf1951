/**
 * The console in headless Chromium (Debian's chromium, driven by playwright-core) against a real
 * `mux-ingest serve`: each page (objects browser, an object's story, dead letters) and each of
 * their actions (search, filter links, retry, re-deliver, replay, purge, replay by filter), an
 * axe-core check of every page (no serious or critical violation), the way from "asset X is
 * missing" to its reason and fix by keyboard alone, the same flow with JavaScript turned off, and
 * titles and messages from Mux that try to inject markup staying text. Screenshots go to
 * test-results/ (and, on request, to docs/screenshots/ for the README).
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

const TOKEN_ID = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e";
const TOKEN_SECRET = "console-e2e-token-secret-c0de";
const ADMIN_TOKEN = "console-admin-token-0123456789ab";
const PIPELINE_SECRET = "whsec_Y29uc29sZS1lMmUtcGlwZWxpbmUtc2VjcmV0LTEyMzQ=";
const HOSTILE_TITLE = `<img src=x onerror="alert('title')"> & "quotes"`;
const HOSTILE_PASSTHROUGH = `"><script>alert('passthrough')</script>`;

let fake: RunningFakeMux;
let serve: ServeProcess;
let browser: Browser;
let pipeline: Server;
let dir: string;
/** The pipeline answers 500 for these assets' deliveries until they leave the set. */
const refused = new Set<string>();
const assets: Record<"keynote" | "hostile" | "refusedA" | "refusedB" | "refusedC" | "noMp4", string> = {
  keynote: "",
  hostile: "",
  refusedA: "",
  refusedB: "",
  refusedC: "",
  noMp4: "",
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-console-"));
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookUrl: null,
    rateLimit: null,
  });
  const create = (title: string, extra: Parameters<typeof fake.fake.createAsset>[0] = {}) =>
    fake.fake.createAsset({
      status: "ready",
      mp4Support: "standard",
      meta: { title, external_id: `ext-${title.length}` },
      ...extra,
    }).id;
  for (let i = 1; i <= 4; i++) create(`Clip ${i}`);
  assets.keynote = create("Keynote 2026", { passthrough: "keynote-main" });
  assets.hostile = create(HOSTILE_TITLE, { passthrough: HOSTILE_PASSTHROUGH });
  assets.refusedA = create("Refused A");
  assets.refusedB = create("Refused B");
  assets.refusedC = create("Refused C");
  assets.noMp4 = fake.fake.createAsset({ status: "ready", meta: { title: "No MP4 yet" } }).id;
  fake.fake.createAsset({ status: "ready", playbackPolicies: [], meta: { title: "Unplayable" } });
  refused.add(assets.refusedA);
  refused.add(assets.refusedB);
  refused.add(assets.refusedC);
  pipeline = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const assetId = (JSON.parse(body) as { data?: { source?: { asset_id?: string } } }).data?.source
        ?.asset_id;
      res
        .writeHead(assetId !== undefined && refused.has(assetId) ? 500 : 200)
        .end(assetId !== undefined && refused.has(assetId) ? `<b>refused</b> ${assetId}` : "");
    });
  });
  await new Promise<void>((done) => pipeline.listen(0, "127.0.0.1", done));
  serve = await startServe({
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    ENCRYPTION_KEY: "console-e2e-encryption-key-0123456789",
    ADMIN_TOKEN,
    PIPELINE_URL: `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/hook`,
    PIPELINE_SECRET,
    JOB_MAX_ATTEMPTS: "1",
    POLLING_INTERVAL_SECONDS: "3600",
    RENDITION_GRACE_SECONDS: "0",
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

type ObjectState = { state: string; reason: string | null; id: string };
const objectOf = (assetId: string) => api<ObjectState>(`/v1/buckets/bkt_default/objects/${assetId}`);

describe("the console in Chromium", () => {
  it("settles: three deliveries refused, one asset without an MP4, one unplayable", async () => {
    await expect
      .poll(
        async () =>
          (await api<{ objects: { by_state: Record<string, number> } }>("/v1/buckets/bkt_default")).objects
            .by_state,
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toEqual({ delivered: 6, failed: 3, skipped: 2 });
  });

  it("the overview and the objects browser: counts link to filtered lists, search finds by title and passthrough", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await expectAccessible(page, "overview");
    await page.click("nav[aria-label=Console] >> text=Objects");
    await page.waitForSelector("[data-testid=objects]");
    expect(await textOf(page, "objects-total")).toBe("11");
    await expectAccessible(page, "objects browser");
    await page.click('[data-testid="state-failed"]');
    await page.waitForSelector("[data-testid=objects]");
    const failedRows = await page.$$eval("[data-testid^=object-]", (rows) =>
      rows.map((r) => r.getAttribute("data-testid")),
    );
    expect(failedRows.sort()).toEqual(
      [assets.refusedA, assets.refusedB, assets.refusedC].map((id) => `object-${id}`).sort(),
    );
    await page.click('[data-testid="reason-no_static_renditions"]');
    expect(await page.isVisible(`[data-testid="object-${assets.noMp4}"]`)).toBe(true);

    await page.selectOption("#field", "passthrough");
    await page.fill("#q", "KEYNOTE-");
    await page.selectOption("#state", "");
    await page.selectOption("#reason", "");
    await page.click("[data-testid=filters] button[type=submit]");
    await page.waitForSelector(`[data-testid="object-${assets.keynote}"]`);
    expect(await page.$$("[data-testid^=object-]")).toHaveLength(1);
    await page.selectOption("#field", "title");
    await page.fill("#q", "clip");
    await page.click("[data-testid=filters] button[type=submit]");
    await page.waitForSelector("[data-testid=objects]");
    expect(await page.$$("[data-testid^=object-]")).toHaveLength(4);
    await page.goto(`${serve.url}/dashboard/buckets/bkt_default/objects`);
    await screenshot(page, "console-objects.png");
    expect(problems).toEqual([]);
    await close();
  });

  it("asset X is missing: find it, read why, retry it, by keyboard alone", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    // The skip link comes first, then the navigation and the search.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      "Skip to the content",
    );
    await tabTo(page, "#find-asset");
    await page.keyboard.type(assets.refusedA);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=meaning]");
    expect(await textOf(page, "reason-what")).toBe(
      "The pipeline did not accept the delivery on any attempt.",
    );
    expect(await textOf(page, "object-message")).toContain("HTTP 500");
    expect(await page.$("b")).toBeNull();
    await expectAccessible(page, "object story (failed)");
    await screenshot(page, "console-object.png");
    refused.delete(assets.refusedA);
    await tabTo(page, "[data-testid=retry]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=notice]");
    expect(await textOf(page, "notice")).toBe("Retry queued: the object is ingested again.");
    await expect
      .poll(async () => (await objectOf(assets.refusedA)).state, { timeout: 15_000, interval: 200 })
      .toBe("delivered");
    await page.reload();
    await page.click("[data-testid=redeliver]");
    await page.waitForSelector("[data-testid=notice]");
    expect(await textOf(page, "notice")).toContain("Re-delivery queued");
    expect(problems).toEqual([]);
    await close();
  });

  it("an object's story: the MP4 hint, Mux's renditions, the Mux dashboard link, and hostile text kept as text", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    const noMp4 = await objectOf(assets.noMp4);
    await page.goto(`${serve.url}/dashboard/objects/${noMp4.id}`);
    expect(await textOf(page, "mp4-hint")).toContain("set create_renditions on the sync");
    await page.click("[data-testid=read-mux]");
    await page.waitForSelector("[data-testid=mux-renditions]");
    await expectAccessible(page, "object story (no MP4, Mux read)");
    const link = await page.getAttribute("[data-testid=mux-dashboard]", "href");
    const redirect = await fetch(`${serve.url}${link}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      redirect: "manual",
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toMatch(
      new RegExp(
        `^https://dashboard\\.mux\\.com/organizations/[^/]+/environments/[^/]+/video/assets/${assets.noMp4}$`,
      ),
    );

    const hostile = await objectOf(assets.hostile);
    await page.goto(`${serve.url}/dashboard/objects/${hostile.id}`);
    expect(await textOf(page, "object-title")).toBe(HOSTILE_TITLE);
    expect(await page.$("img")).toBeNull();
    expect(await page.$("script")).toBeNull();
    expect(await page.textContent("[data-testid=metadata]")).toContain(HOSTILE_PASSTHROUGH);
    await page.goto(`${serve.url}/dashboard/buckets/bkt_default/objects?field=title&q=%3Cimg`);
    expect(await page.$$("[data-testid^=object-]")).toHaveLength(1);
    expect(await page.$("td img")).toBeNull();
    expect(problems).toEqual([]);
    await close();
  });

  it("dead letters: listed with their error, one purged, the rest replayed by filter until delivered", async () => {
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN);
    await page.click("nav[aria-label=Console] >> text=Dead letters");
    await page.waitForSelector("[data-testid=dead-letters]");
    await expectAccessible(page, "dead letters");
    await screenshot(page, "console-dead-letters.png");
    const letters = await api<{ data: Array<{ id: string; object: { asset_id: string } | null }> }>(
      "/v1/dead-letters",
    );
    const row = letters.data.find((l) => l.object?.asset_id === assets.refusedB);
    expect(row).toBeDefined();
    expect(await page.textContent(`[data-testid="dead-${row?.id}"]`)).toContain("<b>refused</b>");
    refused.delete(assets.refusedB);
    await page.selectOption("#type", "deliver");
    await page.click("[data-testid=dead-filters] button[type=submit]");
    await page.click("[data-testid=replay-matching]");
    await page.waitForSelector("[data-testid=notice]");
    expect(await textOf(page, "notice")).toContain("The matching dead letters were replayed");
    await expect
      .poll(async () => (await objectOf(assets.refusedB)).state, { timeout: 15_000, interval: 200 })
      .toBe("delivered");
    expect(problems).toEqual([]);
    await close();
  });

  it("works with JavaScript turned off: find, read, replay and purge are plain links and forms", async () => {
    // Replayed by the filter above and refused again: dead once more.
    await expect
      .poll(
        async () =>
          (await api<{ data: Array<{ object: { asset_id: string } | null }> }>("/v1/dead-letters")).data.map(
            (l) => l.object?.asset_id,
          ),
        {
          timeout: 15_000,
          interval: 200,
        },
      )
      .toEqual([assets.refusedC]);
    const { page, problems, close } = await watchedPage(browser, serve.url, ADMIN_TOKEN, {
      javaScriptEnabled: false,
    });
    await page.fill("#find-asset", assets.refusedC);
    await page.click("search button[type=submit]");
    await page.waitForSelector("[data-testid=meaning]");
    expect(await textOf(page, "reason-what")).toBe(
      "The pipeline did not accept the delivery on any attempt.",
    );
    await page.click("[data-testid=jobs] >> text=dead");
    await page.waitForSelector("[data-testid=dead-letters]");
    const [row] = await page.$$eval("[data-testid^=dead-job_]", (rows) =>
      rows.map((r) => r.getAttribute("data-testid")),
    );
    const jobId = row?.replace("dead-", "") ?? "";
    await page.click(`[data-testid="purge-${jobId}"]`);
    await page.waitForSelector("[data-testid=notice]");
    expect(await textOf(page, "notice")).toBe("The dead letter was purged.");
    expect(await page.$(`[data-testid="dead-${jobId}"]`)).toBeNull();
    expect((await objectOf(assets.refusedC)).state).toBe("failed");
    expect(problems).toEqual([]);
    await close();
  });
});
