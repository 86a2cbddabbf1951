import { defineConfig } from "vitest/config";

// biome-ignore lint/style/noDefaultExport: vitest reads the default export.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          setupFiles: ["test/helpers/no-network.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/helpers/no-network.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/helpers/build-dist.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real processes and ports: one file at a time keeps the 2-core machine predictable.
          fileParallelism: false,
        },
      },
      // Inside workerd, against the Worker entry (D1, Queues, Cron, R2): see its own config.
      "test/workers/vitest.config.ts",
    ],
  },
});
