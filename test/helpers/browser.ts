/**
 * Debian's Chromium driven by playwright-core, as every browser test uses it: the launch, a
 * signed-in page that records CSP violations, script errors and dialogs (a script smuggled in
 * through Mux's data would open one), screenshots, and keyboard reachability.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = resolve(import.meta.dirname, "../..");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export type WatchedPage = { page: Page; problems: string[]; close: () => Promise<void> };

/** Signs in to the dashboard at `baseUrl` with `adminToken` and waits for the overview. */
export async function watchedPage(
  browser: Browser,
  baseUrl: string,
  adminToken: string,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${baseUrl}/`);
  await page.fill("#token", adminToken);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=syncs]");
  return { page, problems, close: () => context.close() };
}

/**
 * Saves a full-page screenshot to test-results/; with UPDATE_DOCS_SCREENSHOT=1 it is copied to
 * docs/screenshots/ too (the README's are refreshed on request only: a test run must not change
 * tracked files).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  const shot = join(ROOT, "test-results", name);
  await page.screenshot({ path: shot, fullPage: true });
  if (process.env.UPDATE_DOCS_SCREENSHOT === "1") {
    mkdirSync(join(ROOT, "docs", "screenshots"), { recursive: true });
    copyFileSync(shot, join(ROOT, "docs", "screenshots", name));
  }
}

export const textOf = async (page: Page, testId: string) =>
  (await page.textContent(`[data-testid="${testId}"]`))?.trim();

/** Tabs until the element with this selector has the focus (a bounded number of presses). */
export async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${selector} is not reachable with Tab`);
}
