import { defineConfig } from "drizzle-kit";

// biome-ignore lint/style/noDefaultExport: drizzle-kit reads the default export.
export default defineConfig({
  dialect: "sqlite",
  schema: [
    "./src/db/schema.ts",
    "./src/db/bookkeeping.ts",
    "./src/db/activity.ts",
    "./src/db/session-tables.ts",
    "./src/db/rendition-requests.ts",
    "./src/db/delivery-attempts.ts",
    "./src/queue/tables.ts",
  ],
  out: "./migrations",
});
