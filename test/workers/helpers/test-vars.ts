/**
 * The Worker's vars and secrets in the Workers tier (what `wrangler secret put` and [vars] set in
 * production). They also cover every variable a developer's .dev.vars might set, so a local file
 * can never point the tests at a real Mux.
 */
export const TEST_TOKEN_ID = "11111111-2222-4333-8444-555555555555";
export const TEST_TOKEN_SECRET = "workers-test-token-secret";
export const TEST_WEBHOOK_SECRET = "workers-test-webhook-secret";

export const WORKER_TEST_VARS = {
  MUX_TOKEN_ID: TEST_TOKEN_ID,
  MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
  MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  MUX_SIGNING_KEY: "",
  MUX_PRIVATE_KEY: "",
  MUX_BASE_URL: "https://api.mux.com",
  MUX_STREAM_BASE_URL: "https://stream.mux.com",
  PIPELINE_URL: "",
  PIPELINE_SECRET: "",
  ADMIN_TOKEN: "workers-test-admin-token",
  ENCRYPTION_KEY: "workers-test-encryption-key-0123456789abcdef",
  STORAGE_DIR: "",
  JOB_MAX_ATTEMPTS: "3",
  LOG_LEVEL: "error",
} as const;
