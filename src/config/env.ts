/**
 * The process configuration, parsed once at the entry (`node.ts`, `cli.ts`, `worker.ts`) and
 * passed down. Nothing below the entry reads `process.env`. A bad value stops start-up with one
 * line per problem that names the variable and what is allowed, never the value of a secret.
 */
import { z } from "zod";
import {
  DATABASE_SYNCHRONOUS_MODES,
  type DatabaseSynchronous,
  DEFAULT_DATABASE_SYNCHRONOUS,
} from "../db/synchronous";
import { AppError } from "../lib/errors";
import type { StaticRenditionResolution } from "../mux/rendition-names";
import { checkPipelineUrl } from "../pipeline/pipeline-url";
import { DEFAULT_JOB_LEASE_MS, DEFAULT_JOB_MAX_ATTEMPTS } from "../queue/job-store";
import { DEFAULT_RUNNER_CONCURRENCY } from "../queue/runner";
import { DEFAULT_DELETION_GUARD_PERCENT } from "../sync/deletion-guard";
import { DEFAULT_RENDITION_GRACE_MS } from "../sync/evaluate-asset";
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from "../sync/retention";
import {
  createRenditionsSchema,
  DEFAULT_POLLING_INTERVAL_SECONDS,
  DEFAULT_SOURCE_PATH,
  DEFAULT_SYNC_MODE,
  DEFAULT_WAIT_FOR_GRACE_SECONDS,
  MAX_WAIT_FOR_GRACE_SECONDS,
  pollingIntervalFromStringSchema,
  sourcePathSchema,
  syncModeSchema,
  type WaitForKind,
  waitForSchema,
} from "../sync/settings";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A comma-separated list: its trimmed, non-empty items (none when unset). */
const commaList = optionalString.transform((v) =>
  (v ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

const httpUrl = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
      message: `must be an http(s) URL, e.g. https://${name}`,
    })
    .transform((v) => v.replace(/\/+$/, ""));

const positiveInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? String(fallback) : v))
    .pipe(
      z.coerce
        .number<string>({ message: "must be a whole number" })
        .int({ message: "must be a whole number" })
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );

/** Standard Webhooks secrets are base64, optionally prefixed `whsec_`. */
const standardWebhooksSecret = z
  .string()
  .trim()
  .refine((v) => /^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/.test(v), {
    message: "must be a Standard Webhooks secret: whsec_ followed by base64 (at least 12 bytes)",
  });

/** The shortest `ENCRYPTION_KEY` accepted (here, and for `rekey`'s new key). */
export const MIN_ENCRYPTION_KEY_LENGTH = 32;

export const envSchema = z
  .object({
    MUX_TOKEN_ID: optionalString.pipe(z.uuid({ message: "must be a UUID (the Access Token ID)" }).optional()),
    MUX_TOKEN_SECRET: optionalString,
    MUX_WEBHOOK_SECRET: commaList,
    MUX_SIGNING_KEY: optionalString,
    MUX_PRIVATE_KEY: optionalString,
    MUX_BASE_URL: optionalString.pipe(httpUrl("api.mux.com").default("https://api.mux.com")),
    MUX_STREAM_BASE_URL: optionalString.pipe(httpUrl("stream.mux.com").default("https://stream.mux.com")),
    MUX_IMAGE_BASE_URL: optionalString.pipe(httpUrl("image.mux.com").default("https://image.mux.com")),
    SOURCE_PATH: optionalString.pipe(sourcePathSchema.default(DEFAULT_SOURCE_PATH)),
    SYNC_MODE: optionalString.pipe(syncModeSchema.default(DEFAULT_SYNC_MODE)),
    POLLING_INTERVAL_SECONDS: optionalString
      .transform((v) => v ?? String(DEFAULT_POLLING_INTERVAL_SECONDS))
      .pipe(pollingIntervalFromStringSchema),
    CREATE_RENDITIONS: commaList.pipe(createRenditionsSchema),
    REMOVE_CREATED_RENDITIONS: optionalString.pipe(
      z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
    ),
    WAIT_FOR: commaList.pipe(waitForSchema),
    WAIT_FOR_GRACE_SECONDS: positiveInt(0, MAX_WAIT_FOR_GRACE_SECONDS, DEFAULT_WAIT_FOR_GRACE_SECONDS),
    PORT: positiveInt(0, 65535, 8787),
    HOST: optionalString.transform((v) => v ?? "0.0.0.0"),
    DATABASE_PATH: optionalString.transform((v) => v ?? "./data/mux-ingest.db"),
    DATABASE_SYNCHRONOUS: optionalString.pipe(
      z
        .enum(DATABASE_SYNCHRONOUS_MODES, { message: `must be ${DATABASE_SYNCHRONOUS_MODES.join(" or ")}` })
        .default(DEFAULT_DATABASE_SYNCHRONOUS),
    ),
    STORAGE_DIR: optionalString,
    PIPELINE_URL: optionalString.pipe(
      httpUrl("pipeline.example.com/hooks").superRefine(checkPipelineUrl).optional(),
    ),
    PIPELINE_SECRET: optionalString.pipe(standardWebhooksSecret.optional()),
    ADMIN_TOKEN: optionalString.pipe(
      z.string().min(16, { message: "must be at least 16 characters" }).optional(),
    ),
    METRICS_TOKEN: optionalString.pipe(
      z.string().min(16, { message: "must be at least 16 characters" }).optional(),
    ),
    ENCRYPTION_KEY: optionalString.pipe(
      z
        .string()
        .min(MIN_ENCRYPTION_KEY_LENGTH, {
          message: `must be at least ${MIN_ENCRYPTION_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`,
        })
        .optional(),
    ),
    LOG_LEVEL: optionalString.pipe(z.enum(["debug", "info", "warn", "error"]).default("info")),
    TRUST_PROXY: optionalString.pipe(
      z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
    ),
    WORKER_CONCURRENCY: positiveInt(1, 64, DEFAULT_RUNNER_CONCURRENCY),
    JOB_MAX_ATTEMPTS: positiveInt(1, 100, DEFAULT_JOB_MAX_ATTEMPTS),
    JOB_LEASE_SECONDS: positiveInt(5, 3600, DEFAULT_JOB_LEASE_MS / 1000),
    FULL_SWEEP_INTERVAL_SECONDS: positiveInt(60, 30 * 24 * 3600, 24 * 3600),
    RECHECK_BUDGET: positiveInt(0, 10_000, 100),
    SUSPEND_AFTER_FAILED_PASSES: positiveInt(1, 1000, 5),
    RENDITION_GRACE_SECONDS: positiveInt(0, 30 * 24 * 3600, DEFAULT_RENDITION_GRACE_MS / 1000),
    DELETION_GUARD_PERCENT: positiveInt(0, 100, DEFAULT_DELETION_GUARD_PERCENT),
    RETENTION_DAYS: positiveInt(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, DEFAULT_RETENTION_DAYS),
  })
  .superRefine((env, ctx) => {
    if (env.MUX_TOKEN_ID && !env.MUX_TOKEN_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["MUX_TOKEN_SECRET"],
        message: "is required when MUX_TOKEN_ID is set",
      });
    }
    if (env.MUX_TOKEN_SECRET && !env.MUX_TOKEN_ID) {
      ctx.addIssue({
        code: "custom",
        path: ["MUX_TOKEN_ID"],
        message: "is required when MUX_TOKEN_SECRET is set",
      });
    }
    if (Boolean(env.MUX_SIGNING_KEY) !== Boolean(env.MUX_PRIVATE_KEY)) {
      ctx.addIssue({
        code: "custom",
        path: [env.MUX_SIGNING_KEY ? "MUX_PRIVATE_KEY" : "MUX_SIGNING_KEY"],
        message: "MUX_SIGNING_KEY and MUX_PRIVATE_KEY go together (signed playback needs both)",
      });
    }
    if (env.PIPELINE_URL && !env.PIPELINE_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["PIPELINE_SECRET"],
        message: "is required when PIPELINE_URL is set: deliveries are always signed (whsec_…)",
      });
    }
  });

export type Config = {
  mux: {
    tokenId?: string;
    tokenSecret?: string;
    webhookSecrets: string[];
    signingKeyId?: string;
    privateKey?: string;
    baseUrl: string;
    streamBaseUrl: string;
    /** Where thumbnails, storyboards and GIFs are served (image.mux.com). */
    imageBaseUrl: string;
  };
  sync: {
    sourcePath: string;
    syncMode: "initial_only" | "continuous";
    pollingIntervalSeconds: number;
    /** Static Renditions API resolutions to create for ready assets that have none of them. */
    createRenditions: StaticRenditionResolution[];
    /** Delete the renditions the service created once their file is stored and delivered. */
    removeCreatedRenditions: boolean;
    waitFor: WaitForKind[];
    waitForGraceSeconds: number;
  };
  server: { port: number; host: string };
  databasePath: string;
  /**
   * Node only (D1 keeps its own durability): `full` makes an acknowledged write survive power loss
   * and an OS crash, `normal` only a crash of the process (`src/db/synchronous.ts`).
   */
  databaseSynchronous: DatabaseSynchronous;
  storageDir?: string;
  pipeline: { url?: string; secret?: string };
  adminToken?: string;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`; unset, it is open. */
  metricsToken?: string;
  encryptionKey?: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /**
   * A TLS-terminating proxy stands in front: its `X-Forwarded-Proto` says whether the request was
   * HTTPS and the last hop of `X-Forwarded-For` is the client. Without it both headers are ignored.
   */
  trustProxy: boolean;
  workerConcurrency: number;
  jobMaxAttempts: number;
  /**
   * How long a claimed job stays leased without a heartbeat: after a crash (SIGKILL, power loss)
   * its jobs are claimed again this long after the last heartbeat.
   */
  jobLeaseSeconds: number;
  reconcile: {
    /** How often a pass is a full sweep that detects deletions and drift. */
    fullSweepIntervalSeconds: number;
    /** Waiting objects re-checked with one GET each per pass. */
    recheckBudget: number;
    /** Consecutive failed passes before a sync is suspended. */
    suspendAfterFailedPasses: number;
  };
  /** How long a ready asset may wait for an MP4 before it is skipped (no_static_renditions). */
  renditionGraceSeconds: number;
  /** Unannounced deletions per hour, in % of a sync's members, before the deletion guard holds them. */
  deletionGuardPercent: number;
  /** Days of history kept (webhook events, settled deliveries, object history, runs). */
  retentionDays: number;
};

export class ConfigError extends AppError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super("CONFIG", `Invalid configuration:\n  ${problems.join("\n  ")}`, { details: problems });
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Parses raw variables (process.env or Worker bindings) into `Config`, or throws `ConfigError`. */
export function parseEnv(raw: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      return `${name} ${issue.message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const env = result.data;
  return {
    mux: {
      tokenId: env.MUX_TOKEN_ID,
      tokenSecret: env.MUX_TOKEN_SECRET,
      webhookSecrets: env.MUX_WEBHOOK_SECRET,
      signingKeyId: env.MUX_SIGNING_KEY,
      privateKey: env.MUX_PRIVATE_KEY,
      baseUrl: env.MUX_BASE_URL,
      streamBaseUrl: env.MUX_STREAM_BASE_URL,
      imageBaseUrl: env.MUX_IMAGE_BASE_URL,
    },
    sync: {
      sourcePath: env.SOURCE_PATH,
      syncMode: env.SYNC_MODE,
      pollingIntervalSeconds: env.POLLING_INTERVAL_SECONDS,
      createRenditions: env.CREATE_RENDITIONS,
      removeCreatedRenditions: env.REMOVE_CREATED_RENDITIONS === "true",
      waitFor: env.WAIT_FOR,
      waitForGraceSeconds: env.WAIT_FOR_GRACE_SECONDS,
    },
    server: { port: env.PORT, host: env.HOST },
    databasePath: env.DATABASE_PATH,
    databaseSynchronous: env.DATABASE_SYNCHRONOUS,
    storageDir: env.STORAGE_DIR,
    pipeline: { url: env.PIPELINE_URL, secret: env.PIPELINE_SECRET },
    adminToken: env.ADMIN_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    encryptionKey: env.ENCRYPTION_KEY,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY === "true",
    workerConcurrency: env.WORKER_CONCURRENCY,
    jobMaxAttempts: env.JOB_MAX_ATTEMPTS,
    jobLeaseSeconds: env.JOB_LEASE_SECONDS,
    reconcile: {
      fullSweepIntervalSeconds: env.FULL_SWEEP_INTERVAL_SECONDS,
      recheckBudget: env.RECHECK_BUDGET,
      suspendAfterFailedPasses: env.SUSPEND_AFTER_FAILED_PASSES,
    },
    renditionGraceSeconds: env.RENDITION_GRACE_SECONDS,
    deletionGuardPercent: env.DELETION_GUARD_PERCENT,
    retentionDays: env.RETENTION_DAYS,
  };
}
