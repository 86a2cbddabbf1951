/**
 * The package as an operator installs it, in the Dockerfile's two packaging steps: `npm pack` in
 * the repository (its prepack builds `dist/`), then `npm install --omit=dev` of the tarball into
 * an empty folder. Shared by the install test (`test/package/installed-package.test.ts`, which
 * also checks the steps against the Dockerfile) and the start-up benchmark (`bench/startup.ts`);
 * `run` (a process, its output collected) also serves the end-to-end CLI test.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The Dockerfile's packaging steps, in order; `/pack` is where the tarball goes. */
export const DOCKERFILE_STEPS = [
  "npm pack --pack-destination /pack",
  "npm install --omit=dev --no-audit --no-fund /pack/mux-ingest-*.tgz",
] as const;

/** The Dockerfile's `RUN npm pack…` and `RUN npm install…` lines, in their order. */
export function dockerfileSteps(): string[] {
  return readFileSync(join(REPO_DIR, "Dockerfile"), "utf8")
    .split("\n")
    .flatMap((line) => /^RUN (npm (?:pack|install) .*)$/.exec(line.trim())?.[1] ?? []);
}

/** The environment of a shell that never saw the repository: no `npm_*`, no repository on PATH. */
export function outsideEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("npm_") || key === "NODE_PATH" || key === "INIT_CWD") continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => entry !== "" && !resolve(entry).startsWith(REPO_DIR))
    .join(delimiter);
  return { ...env, ...extra };
}

export type RunResult = { code: number | null; stdout: string; stderr: string; seconds: number };

export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = outsideEnv(),
  timeoutMs = 15 * 60_000,
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("close", (code) =>
      done({ code, stdout, stderr, seconds: Math.round(performance.now() - started) / 1000 }),
    );
  });
}

/** A step's words with `/pack` replaced by `pack` and the tarball glob resolved, as a shell would. */
function words(step: string, pack: string): string[] {
  return step.split(" ").map((word) => {
    const local = word.replace(/^\/pack/, pack);
    if (!local.includes("*")) return local;
    const [prefix, suffix] = local.split("*") as [string, string];
    const matches = readdirSync(pack)
      .map((f) => join(pack, f))
      .filter((f) => f.startsWith(prefix) && f.endsWith(suffix));
    if (matches.length !== 1) throw new Error(`${word} matches ${matches.length} files in ${pack}`);
    return matches[0] as string;
  });
}

export type PackedInstall = {
  /** The folder the package was installed into (`node_modules/mux-ingest` inside). */
  app: string;
  /** `node_modules/.bin/mux-ingest` there. */
  bin: string;
  tarball: string;
  packSeconds: number;
  installSeconds: number;
};

/** Runs the two steps under `root` (which gets `pack/` and `app/`); throws with npm's output on failure. */
export async function packAndInstall(root: string): Promise<PackedInstall> {
  const pack = join(root, "pack");
  const app = join(root, "app");
  mkdirSync(pack, { recursive: true });
  mkdirSync(app, { recursive: true });
  const [packStep, installStep] = DOCKERFILE_STEPS;
  const [npm, ...packArgs] = words(packStep, pack);
  // npm pack runs the repository's prepack (the build), which needs its own tools on PATH.
  const packed = await run(npm as string, packArgs, REPO_DIR, {
    ...outsideEnv(),
    PATH: process.env.PATH ?? "",
  });
  if (packed.code !== 0) throw new Error(`npm pack failed (${packed.code}):\n${packed.stderr}`);
  const [installNpm, ...installArgs] = words(installStep, pack);
  const installed = await run(installNpm as string, installArgs, app);
  if (installed.code !== 0) throw new Error(`npm install failed (${installed.code}):\n${installed.stderr}`);
  return {
    app,
    bin: join(app, "node_modules", ".bin", "mux-ingest"),
    tarball: installArgs.at(-1) as string,
    packSeconds: packed.seconds,
    installSeconds: installed.seconds,
  };
}
