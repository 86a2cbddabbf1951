/**
 * `parseEnv` under arbitrary input: it either returns a configuration whose values respect every
 * documented bound, or throws a `ConfigError` whose every line names a variable — never another
 * exception, and never the value of a secret.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, envSchema, parseEnv } from "../../src/config/env";
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from "../../src/sync/retention";

// From the schema itself, so a variable added later is covered without editing this file.
const VARIABLES = Object.keys(envSchema.shape);
const SECRETS = ["MUX_TOKEN_SECRET", "MUX_PRIVATE_KEY", "PIPELINE_SECRET", "ADMIN_TOKEN", "ENCRYPTION_KEY"];

/** Values near the edges of what each variable accepts, plus anything at all. */
const plausibleValue = fc.oneof(
  fc.string(),
  fc.constantFrom("", " ", "0", "-1", "10", "9", "65536", "1e3", "0x10", "NaN", "Infinity", "3.5"),
  fc.constantFrom("mux://", "mux://abc", "s3://bucket", "continuous", "initial_only", "debug", "loud"),
  fc.constantFrom("true", "false", " true ", "TRUE", "1", "yes"),
  fc.constantFrom("https://api.mux.com", "http://127.0.0.1:1/", "ftp://x", "https://", "javascript:alert(1)"),
  fc.constantFrom("whsec_dGVzdC1waXBlbGluZS1zZWNyZXQtMTI=", "whsec_!!", "a,b,,c"),
  fc.uuid(),
  fc.integer({ min: -100_000, max: 10_000_000 }).map(String),
);

const environment = fc.dictionary(
  fc.oneof(fc.constantFrom(...VARIABLES), fc.string({ maxLength: 12 })),
  fc.option(plausibleValue, { nil: undefined }),
  { maxKeys: 14 },
);

describe("parseEnv on arbitrary input", () => {
  it("returns a configuration within its documented bounds, or a ConfigError naming each variable", () => {
    fc.assert(
      fc.property(environment, (raw) => {
        let config: ReturnType<typeof parseEnv>;
        try {
          config = parseEnv(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const problems = (error as ConfigError).problems;
          expect(problems.length).toBeGreaterThan(0);
          for (const problem of problems) {
            const named = VARIABLES.some((name) => problem.startsWith(`${name} `));
            expect(named, problem).toBe(true);
          }
          return;
        }
        expect(config.sync.pollingIntervalSeconds).toBeGreaterThanOrEqual(10);
        expect(config.sync.pollingIntervalSeconds).toBeLessThanOrEqual(604_800);
        expect(Number.isInteger(config.server.port)).toBe(true);
        expect(config.server.port).toBeGreaterThanOrEqual(0);
        expect(config.server.port).toBeLessThanOrEqual(65_535);
        expect(config.workerConcurrency).toBeGreaterThanOrEqual(1);
        expect(config.jobMaxAttempts).toBeGreaterThanOrEqual(1);
        expect(config.jobLeaseSeconds).toBeGreaterThanOrEqual(5);
        expect(config.renditionGraceSeconds).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(config.retentionDays)).toBe(true);
        expect(config.retentionDays).toBeGreaterThanOrEqual(MIN_RETENTION_DAYS);
        expect(config.retentionDays).toBeLessThanOrEqual(MAX_RETENTION_DAYS);
        if (raw.RETENTION_DAYS === undefined) expect(config.retentionDays).toBe(DEFAULT_RETENTION_DAYS);
        expect(["continuous", "initial_only"]).toContain(config.sync.syncMode);
        expect(config.sync.sourcePath.startsWith("mux://")).toBe(true);
        expect(config.mux.baseUrl).toMatch(/^https?:\/\//);
        expect(config.mux.streamBaseUrl).toMatch(/^https?:\/\//);
        if (config.pipeline.url) expect(config.pipeline.secret).toBeTruthy();
        expect(Boolean(config.mux.tokenId)).toBe(Boolean(config.mux.tokenSecret));
        for (const secret of config.mux.webhookSecrets) expect(secret.trim()).toBe(secret);
        // Forwarding headers are trusted only when asked for in exactly those words.
        expect(config.trustProxy).toBe((raw.TRUST_PROXY ?? "").trim() === "true");
      }),
      { numRuns: 2_000 },
    );
  });

  it("never echoes the value of a secret in its error", () => {
    const secretValue = fc.string({ minLength: 6, maxLength: 40 }).map((s) => `S3CR3T-${s}`);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...SECRETS), secretValue, { minKeys: 1 }),
        environment,
        (secrets, rest) => {
          // Broken on purpose around the secrets (a bad URL, an orphan token id), so an error is raised.
          const raw = { ...rest, ...secrets, MUX_BASE_URL: "not a url", MUX_TOKEN_ID: "not-a-uuid" };
          try {
            parseEnv(raw);
          } catch (error) {
            const text = `${(error as Error).message}\n${JSON.stringify((error as ConfigError).details ?? null)}`;
            for (const value of Object.values(secrets)) expect(text).not.toContain(value.trim());
            return;
          }
          throw new Error("expected a ConfigError");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("accepts every value inside the documented ranges", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 604_800 }),
        fc.integer({ min: 0, max: 65_535 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 5, max: 3_600 }),
        fc.integer({ min: MIN_RETENTION_DAYS, max: MAX_RETENTION_DAYS }),
        (interval, port, concurrency, lease, retention) => {
          const config = parseEnv({
            POLLING_INTERVAL_SECONDS: ` ${interval} `,
            PORT: String(port),
            WORKER_CONCURRENCY: String(concurrency),
            JOB_LEASE_SECONDS: String(lease),
            RETENTION_DAYS: String(retention),
          });
          expect(config.retentionDays).toBe(retention);
          expect(config.sync.pollingIntervalSeconds).toBe(interval);
          expect(config.server.port).toBe(port);
          expect(config.workerConcurrency).toBe(concurrency);
          expect(config.jobLeaseSeconds).toBe(lease);
        },
      ),
    );
  });
});
