/**
 * The package as an operator installs it: `npm pack` (which builds `dist/`), then
 * `npm install --omit=dev` of the tarball into an empty folder outside the repository, and
 * everything below runs from that folder alone: no repository path on PATH, no `npm_*`
 * variables, the working directory the install folder. The steps are the Dockerfile's
 * (`scripts/packed-install.ts` runs them; the first test checks them against the Dockerfile),
 * so this is the image's path too.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DOCKERFILE_STEPS,
  dockerfileSteps,
  outsideEnv,
  packAndInstall,
  REPO_DIR,
  run,
} from "../../scripts/packed-install";
import type { RunningFakeMux } from "../../src/fake-mux/index";
import { type ServeProcess, startServe } from "../helpers/serve-process";

const VERSION = (JSON.parse(readFileSync(join(REPO_DIR, "package.json"), "utf8")) as { version: string })
  .version;

let root: string;
let app: string;
let bin: string;

const cli = (args: string[], env = outsideEnv()) => run(process.execPath, [bin, ...args], app, env, 120_000);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "mux-ingest-installed-"));
  const installed = await packAndInstall(root);
  expect(readdirSync(join(root, "pack"))).toEqual([`mux-ingest-${VERSION}.tgz`]);
  app = installed.app;
  bin = installed.bin;
}, 15 * 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the installed package", () => {
  it("comes from exactly the Dockerfile's packaging steps", () => {
    expect(dockerfileSteps()).toEqual(DOCKERFILE_STEPS);
  });

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
      readdirSync(join(REPO_DIR, "migrations")).filter((f) => f.endsWith(".sql")).length,
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
