/**
 * The Workers tier: tests that run inside workerd (@cloudflare/vitest-pool-workers), against the
 * Worker entry with the bindings of wrangler.toml: D1 (migrated from `migrations/` before each
 * file), the jobs queues, and an R2 bucket that wrangler.toml leaves optional.
 */
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { WORKER_TEST_VARS } from "./helpers/test-vars";

const root = fileURLToPath(new URL("../..", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));

// biome-ignore lint/style/noDefaultExport: vitest reads the default export.
export default defineConfig(async () => ({
  root: here,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: {
        // Explicit values win over a developer's .dev.vars, which the pool would otherwise load.
        bindings: {
          ...WORKER_TEST_VARS,
          TEST_MIGRATIONS: await readD1Migrations(`${root}migrations`),
          // The library size of reconcile-scale.test.ts (scripts/workers-pass.sh sets 100000).
          TEST_PASS_ASSETS: process.env.WORKERS_PASS_ASSETS ?? "",
        },
        r2Buckets: ["RENDITIONS"],
      },
    }),
  ],
  test: {
    name: "workers",
    include: ["**/*.test.ts"],
    setupFiles: ["helpers/apply-migrations.ts"],
    testTimeout: 20_000,
  },
}));
