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
      {
        test: {
          // The packed package installed into an empty folder: long (npm compiles better-sqlite3),
          // mostly one core, so it runs beside the end-to-end tier rather than in its queue.
          name: "package",
          include: ["test/package/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 15 * 60_000,
        },
      },
      // Inside workerd, against the Worker entry (D1, Queues, Cron, R2): see its own config.
      "test/workers/vitest.config.ts",
    ],
  },
});
