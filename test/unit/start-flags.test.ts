/**
 * The young generation's bound only takes effect when node starts, so every way the service is
 * started must give node the flag `src/node/heap-policy.ts` names: the installed command's
 * shebang (`env -S` splits it), the Dockerfile's ENTRYPOINT (which runs the bin as a script, so
 * the shebang is not read) and `npm start`. The shebang's flags are run on this node, so a flag
 * node does not accept fails here, not at an operator's start.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { YOUNG_GENERATION_FLAG, YOUNG_SEMI_SPACE_MIB } from "../../src/node/heap-policy";

const ROOT = join(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** `#!/usr/bin/env -S node --flag …` → the words after `-S`. */
function shebangCommand(source: string): string[] {
  const first = source.split("\n", 1)[0] ?? "";
  const match = /^#!\/usr\/bin\/env -S (.+)$/.exec(first);
  if (!match?.[1]) throw new Error(`Not an env -S shebang: ${first}`);
  return match[1].trim().split(/\s+/);
}

describe("node's start flags", () => {
  it("the bin's shebang starts node with the young generation's bound, and node accepts it", () => {
    const [program, ...flags] = shebangCommand(read("bin/mux-ingest.js"));
    expect(program).toBe("node");
    expect(flags).toEqual([YOUNG_GENERATION_FLAG]);
    // Allocate enough short-lived objects that V8 would grow its semi-spaces to 16 MiB, then
    // read the young generation's size: two semi-spaces of at most the bound.
    const grow =
      "let keep=[];for(let i=0;i<2e6;i++){keep.push({i});if(keep.length>1e5)keep=[]}" +
      "const s=require('v8').getHeapSpaceStatistics().find((s)=>s.space_name==='new_space');" +
      "process.stdout.write(String(s.space_size))";
    const newSpaceBytes = Number(
      execFileSync(process.execPath, [...flags, "-e", grow], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
      }),
    );
    expect(newSpaceBytes).toBeGreaterThan(0);
    expect(newSpaceBytes).toBeLessThanOrEqual(2 * YOUNG_SEMI_SPACE_MIB * 2 ** 20);
  });

  it("bounds the young generation to what heap-policy names (a semi-space of a few MiB)", () => {
    expect(YOUNG_GENERATION_FLAG).toBe(`--max-semi-space-size=${YOUNG_SEMI_SPACE_MIB}`);
    expect(YOUNG_SEMI_SPACE_MIB).toBeGreaterThanOrEqual(1);
    expect(YOUNG_SEMI_SPACE_MIB).toBeLessThan(16);
  });

  it("the image's ENTRYPOINT and `npm start` give node the same flag", () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read("Dockerfile"))?.[1];
    expect(entrypoint).toBeDefined();
    const words = JSON.parse(entrypoint ?? "[]") as string[];
    expect(words.slice(0, 2)).toEqual(["node", YOUNG_GENERATION_FLAG]);
    expect(words[2]).toMatch(/bin\/mux-ingest\.js$/);
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`node ${YOUNG_GENERATION_FLAG} dist/cli.js serve`);
  });
});
