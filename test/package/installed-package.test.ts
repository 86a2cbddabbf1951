/**
 * The package as an operator installs it: `npm pack` (which builds `dist/`), then
 * `npm install --omit=dev` of the tarball into an empty folder outside the repository, and
 * everything below runs from that folder alone: no repository path on PATH, no `npm_*`
 * variables, the working directory the install folder. The Dockerfile runs the same two steps
 * (`DOCKERFILE_STEPS` below is checked against it), so this is the image's path too.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningFakeMux } from "../../src/fake-mux/index";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const REPO = resolve(import.meta.dirname, "../..");
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * The Dockerfile's packaging steps, in order: `npm pack` in the build stage, `npm install` of the
 * tarball in the install stage. The test below runs exactly these, with `/pack` a temp folder.
 */
const DOCKERFILE_STEPS = [
  "npm pack --pack-destination /pack",
  "npm install --omit=dev --no-audit --no-fund /pack/mux-ingest-*.tgz",
];

/** The Dockerfile's `RUN npm pack…` and `RUN npm install…` lines, in their order. */
function dockerfileSteps(): string[] {
  return readFileSync(join(REPO, "Dockerfile"), "utf8")
    .split("\n")
    .flatMap((line) => /^RUN (npm (?:pack|install) .*)$/.exec(line.trim())?.[1] ?? []);
}

/** A step's words with `/pack` put in `pack` and the tarball glob resolved, as a shell would. */
function words(step: string, pack: string): string[] {
  return step.split(" ").map((word) => {
    const local = word.replace(/^\/pack/, pack);
    if (!local.includes("*")) return local;
    const [prefix, suffix] = local.split("*") as [string, string];
    const matches = readdirSync(pack)
      .map((f) => join(pack, f))
      .filter((f) => f.startsWith(prefix) && f.endsWith(suffix));
    expect(matches, word).toHaveLength(1);
    return matches[0] as string;
  });
}

let root: string;
let app: string;
let bin: string;

/** The environment of a shell that never saw the repository. */
function outsideEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("npm_") || key === "NODE_PATH" || key === "INIT_CWD") continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => entry !== "" && !resolve(entry).startsWith(REPO))
    .join(delimiter);
  return { ...env, ...extra };
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env = outsideEnv(),
  timeoutMs = INSTALL_TIMEOUT_MS,
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const cli = (args: string[], env = outsideEnv()) => run(process.execPath, [bin, ...args], app, env, 120_000);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "mux-ingest-installed-"));
  const pack = join(root, "pack");
  app = join(root, "app");
  mkdirSync(pack);
  mkdirSync(app);
  expect(dockerfileSteps()).toEqual(DOCKERFILE_STEPS);
  const [packStep, installStep] = DOCKERFILE_STEPS as [string, string];
  // The build stage's step, in the repository (npm pack runs prepack: npm run build).
  const [npm, ...packArgs] = words(packStep, pack);
  const packed = await run(npm as string, packArgs, REPO, { ...outsideEnv(), PATH: process.env.PATH ?? "" });
  expect(packed.code, packed.stderr).toBe(0);
  expect(readdirSync(pack)).toEqual([`mux-ingest-${VERSION}.tgz`]);
  // The install stage's step, in an empty folder.
  const [, ...installArgs] = words(installStep, pack);
  const installed = await run("npm", installArgs, app);
  expect(installed.code, installed.stderr).toBe(0);
  bin = join(app, "node_modules", ".bin", "mux-ingest");
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the installed package", () => {
  it("holds the build and the migrations, and none of the sources, tests or dev tools", () => {
    const pkg = join(app, "node_modules", "mux-ingest");
    const top = readdirSync(pkg).sort();
    expect(top).toEqual([
      ".env.example",
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "bin",
      "dist",
      "migrations",
      "package.json",
    ]);
    expect(readdirSync(join(pkg, "migrations")).filter((f) => f.endsWith(".sql")).length).toBe(
      readdirSync(join(REPO, "migrations")).filter((f) => f.endsWith(".sql")).length,
    );
    const modules = readdirSync(join(app, "node_modules"));
    for (const dev of ["tsx", "typescript", "vitest", "esbuild", "wrangler", "drizzle-kit", "msw"])
      expect(modules, dev).not.toContain(dev);
  });

  it("answers --help and --version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: mux-ingest <command>");
    for (const command of ["serve", "sync", "status", "backup", "demo", "fake-mux"])
      expect(help.stdout).toContain(command);
    const version = await cli(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it("runs the demo to its end (exit 0)", async () => {
    const demo = await cli(["demo", "--assets", "12", "--live", "2"]);
    expect(demo.code, demo.stderr.slice(-2000)).toBe(0);
  }, 150_000);

  describe("serve against the fake Mux it ships", () => {
    let fake: RunningFakeMux;
    let serve: ServeProcess;
    const TOKEN_ID = "0b8e3c5a-6d2f-4e1a-9b7c-3f5e2d1a4c6b";
    const TOKEN_SECRET = "installed-token-secret";
    const WEBHOOK_SECRET = "installed-webhook-secret";

    beforeAll(async () => {
      // The fake Mux is the installed package's export `mux-ingest/fake-mux`, not the sources.
      const exported = pathToFileURL(join(app, "node_modules", "mux-ingest", "dist", "fake-mux.js")).href;
      const { startFakeMux } = (await import(exported)) as typeof import("../../src/fake-mux/index");
      fake = await startFakeMux({
        tokenId: TOKEN_ID,
        tokenSecret: TOKEN_SECRET,
        webhookSecret: WEBHOOK_SECRET,
        webhookUrl: null,
        rateLimit: null,
        lifecycle: { readyAfterMs: 200, renditionsAfterMs: 400 },
      });
      serve = await startServe(
        outsideEnv({
          MUX_TOKEN_ID: TOKEN_ID,
          MUX_TOKEN_SECRET: TOKEN_SECRET,
          MUX_WEBHOOK_SECRET: WEBHOOK_SECRET,
          MUX_BASE_URL: fake.url,
          MUX_STREAM_BASE_URL: fake.streamBaseUrl,
          DATABASE_PATH: join(app, "data", "mux-ingest.db"),
          POLLING_INTERVAL_SECONDS: "86400",
        }),
        60_000,
        { bin, cwd: app },
      );
      fake.fake.setWebhookUrl(`${serve.url}/webhooks/mux`);
    }, 90_000);

    afterAll(async () => {
      await serve?.stop();
      await fake?.close();
    });

    it("takes an asset to ready on its signed webhooks", async () => {
      const asset = fake.fake.createAsset({ mp4Support: "standard" });
      const db = new Database(join(app, "data", "mux-ingest.db"), { readonly: true });
      try {
        const stateOf = () =>
          (
            db.prepare("SELECT state FROM objects WHERE asset_id = ?").get(asset.id) as
              | { state: string }
              | undefined
          )?.state;
        const deadline = Date.now() + 30_000;
        while (stateOf() !== "ready" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(stateOf()).toBe("ready");
        const events = db.prepare("SELECT COUNT(*) AS n FROM webhook_events").get() as { n: number };
        expect(events.n).toBeGreaterThan(0);
      } finally {
        db.close();
      }
      expect(serve.lines.some((line) => line.includes("tsx"))).toBe(false);
    }, 60_000);
  });
});
