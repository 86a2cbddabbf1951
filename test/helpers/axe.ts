/**
 * An accessibility check for browser tests: axe-core (a pinned devDependency) evaluated in the
 * page through the DevTools protocol, so the page's strict CSP stays as it is (no script tag is
 * added), then run over the whole document. A serious or critical violation fails the test with
 * what axe says about it and where.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { expect } from "vitest";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export type AxeViolation = { id: string; impact: string | null; help: string; targets: string[] };

/** The serious and critical violations axe finds on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }
    ).axe;
    const result = (await axe.run(document, { resultTypes: ["violations"] })) as {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(" ")),
    }));
  });
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  const summary = violations.map(
    (v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.slice(0, 5).join(", ")})`,
  );
  expect(summary, `${what}: axe-core violations`).toEqual([]);
}
