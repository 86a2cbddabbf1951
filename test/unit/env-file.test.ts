/**
 * `--env-file`: taken out of the arguments wherever it stands, read with Node's own parser, later
 * files over earlier ones and the process environment over every file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { environmentWith, takeEnvFiles } from "../../src/cli/env-file";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function envFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "env-file-"));
  dirs.push(dir);
  const path = join(dir, ".env");
  writeFileSync(path, text);
  return path;
}

const plainArg = fc.string({ minLength: 1 }).filter((s) => !s.startsWith("--env-file"));

describe("takeEnvFiles", () => {
  it("removes every --env-file option, in either form and anywhere, and keeps the rest in order", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            plainArg.map((a) => ({ kind: "arg" as const, a })),
            fc
              .string({ minLength: 1 })
              .filter((p) => !p.startsWith("--"))
              .map((p) => ({ kind: "spaced" as const, p })),
            fc.string({ minLength: 1 }).map((p) => ({ kind: "joined" as const, p })),
          ),
        ),
        (parts) => {
          const argv = parts.flatMap((x) =>
            x.kind === "arg" ? [x.a] : x.kind === "spaced" ? ["--env-file", x.p] : [`--env-file=${x.p}`],
          );
          const { args, files } = takeEnvFiles(argv);
          expect(args).toEqual(parts.flatMap((x) => (x.kind === "arg" ? [x.a] : [])));
          expect(files).toEqual(parts.flatMap((x) => (x.kind === "arg" ? [] : [x.p])));
        },
      ),
    );
  });

  it("refuses --env-file without a path", () => {
    expect(() => takeEnvFiles(["serve", "--env-file"])).toThrow(/needs a path/);
    expect(() => takeEnvFiles(["--env-file", "--json"])).toThrow(/needs a path/);
    expect(() => takeEnvFiles(["--env-file="])).toThrow(/needs a path/);
  });
});

describe("environmentWith", () => {
  it("reads the file with Node's parser; the process environment wins, and a later file over an earlier", () => {
    const first = envFile('# comment\nPORT=9000\nLOG_LEVEL="debug"\nMULTI="a\\nb"\nexport HOST=127.0.0.1\n');
    const second = envFile("PORT=9100\nSTORAGE_DIR=/data/files\n");
    const env = environmentWith([first, second], { PORT: "9200", PATH: "/usr/bin" });
    expect(env.PORT).toBe("9200");
    expect(env.LOG_LEVEL).toBe("debug");
    expect(env.STORAGE_DIR).toBe("/data/files");
    expect(env.PATH).toBe("/usr/bin");
    expect(environmentWith([first, second], {}).PORT).toBe("9100");
    expect(environmentWith([first], {}).MULTI).toBe("a\nb");
  });

  it("names the file it cannot read, and never its content", () => {
    expect(() => environmentWith(["/nonexistent/.env"], {})).toThrow(
      /--env-file \/nonexistent\/\.env: cannot read the file \(ENOENT\)/,
    );
  });
});
