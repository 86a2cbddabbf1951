/**
 * ARCHITECTURE.md is the map of src/: it must stay true. Every file or folder it names exists,
 * and the path of one webhook to the pipeline stays short enough to follow (at most 12 files).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const MAP = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");
const PATH_SECTION = "## The path of one webhook to the pipeline";
const MAX_FILES_ON_THE_PATH = 12;

/** Repository paths in backticks: `src/x.ts`, `test/helpers/`, `src/cli.ts` … */
function namedPaths(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/`((?:src|test|bench|migrations)\/[\w./-]*)`/g)) {
    if (match[1]) found.add(match[1]);
  }
  return [...found];
}

/** The numbered list under the path heading, one entry per step. */
function pathSteps(text: string): string[] {
  const start = text.indexOf(PATH_SECTION);
  if (start < 0) return [];
  const rest = text.slice(start + PATH_SECTION.length);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const steps: string[] = [];
  for (const line of section.split("\n")) {
    if (/^\d+\.\s/.test(line)) steps.push(line);
    else if (steps.length > 0 && /^\s+\S/.test(line)) steps[steps.length - 1] += ` ${line.trim()}`;
    else if (steps.length > 0 && line.trim() !== "") break;
  }
  return steps;
}

describe("ARCHITECTURE.md", () => {
  it("names only files and folders that exist", () => {
    const paths = namedPaths(MAP);
    expect(paths.length).toBeGreaterThan(30);
    const missing = paths.filter((path) => {
      const absolute = join(ROOT, path);
      if (!existsSync(absolute)) return true;
      return path.endsWith("/") !== statSync(absolute).isDirectory();
    });
    expect(missing).toEqual([]);
  });

  it(`follows one webhook to the pipeline in at most ${MAX_FILES_ON_THE_PATH} files, each step naming its file`, () => {
    const steps = pathSteps(MAP);
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const step of steps) expect(namedPaths(step).length, step).toBeGreaterThan(0);
    const files = new Set(steps.flatMap(namedPaths));
    expect(files.size).toBeLessThanOrEqual(MAX_FILES_ON_THE_PATH);
    // The five stations the path must pass: the route, the verb, the atomic write, the two jobs.
    for (const station of [
      "src/http/webhooks.ts",
      "src/resources/webhook-events.ts",
      "src/db/group-commit.ts",
      "src/jobs/ingest.ts",
      "src/jobs/deliver.ts",
    ])
      expect(files).toContain(station);
  });
});
