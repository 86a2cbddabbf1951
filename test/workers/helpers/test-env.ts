import type { D1Migration } from "cloudflare:test";
import type { D1Database, R2Bucket } from "@cloudflare/workers-types";
import type { WorkerBindings } from "../../../src/workers/bindings";

/** The bindings of the Workers tier: wrangler.toml's, the test vars, R2 and the migrations. */
export type TestEnv = WorkerBindings & {
  DB: D1Database;
  RENDITIONS: R2Bucket;
  TEST_MIGRATIONS: D1Migration[];
  /** Library size for the reconcile pass at scale; empty: the CI size. */
  TEST_PASS_ASSETS: string;
};
