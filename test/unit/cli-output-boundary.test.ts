/**
 * Every CLI output path goes through `src/cli/output.ts` (which makes text inert for a terminal):
 * no other file of the CLI writes to the console or to stdout/stderr itself. `progress.ts` writes
 * its own escapes to the stream it is given, after passing the text through `terminalText`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const CLI_FILES = [
  "src/cli.ts",
  ...readdirSync(join(ROOT, "src/cli"))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => `src/cli/${name}`),
];
const ALLOWED: Record<string, RegExp[]> = {
  "src/cli/output.ts": [/process\.(stdout|stderr)\.write/],
  // Its default stream, and `isTTY`, are read, never written to directly.
  "src/cli/progress.ts": [/process\.stderr,/],
  "src/cli/demo.ts": [/^process\.stdout, text\)/, /process\.stdout\.isTTY/],
};
const WRITES = /console\.(log|error|warn|info|debug)|process\.(stdout|stderr)\b[^\n]*/g;

describe("the CLI's output boundary", () => {
  it("has every command print through src/cli/output.ts", () => {
    const offenders: string[] = [];
    for (const file of CLI_FILES) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const match of text.matchAll(WRITES)) {
        const line = match[0];
        if ((ALLOWED[file] ?? []).some((allowed) => allowed.test(line))) continue;
        offenders.push(`${file}: ${line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("passes progress text through the sanitiser", () => {
    expect(readFileSync(join(ROOT, "src/cli/progress.ts"), "utf8")).toMatch(/terminalText\(raw\)/);
  });
});
