/** Before each test file: the same drizzle-kit SQL that `wrangler d1 migrations apply` runs. */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { TestEnv } from "./test-env";

const testEnv = env as TestEnv;
await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
