/**
 * The Worker's bindings (D1, the jobs queue, optional R2) and its configuration. Vars and
 * secrets go through the very same `parseEnv` as `process.env` on Node; on top of it, the Worker
 * checks what only a Worker needs, and reports every problem at once.
 */
import type { D1Database, Queue, R2Bucket } from "@cloudflare/workers-types";
import { type Config, ConfigError, parseEnv } from "../config/env";
import type { JobMessage } from "../queue/cloudflare-message";

/** `env` as Cloudflare passes it: the bindings from wrangler.toml, plus vars and secrets as strings. */
export type WorkerBindings = {
  DB?: D1Database;
  JOBS?: Queue<JobMessage>;
  RENDITIONS?: R2Bucket;
  [name: string]: unknown;
};

export type WorkerSetup = {
  config: Config;
  db: D1Database;
  jobs: Queue<JobMessage>;
  renditions: R2Bucket | null;
  /** The queue whose messages are dead letters (wrangler.toml `dead_letter_queue`). */
  deadLetterQueue: string;
};

export const DEFAULT_DEAD_LETTER_QUEUE = "mux-ingest-jobs-dlq";

/** Reads the bindings into a `WorkerSetup`, or throws a `ConfigError` listing every problem. */
export function readWorkerSetup(env: WorkerBindings): WorkerSetup {
  const vars = stringVars(env);
  const problems: string[] = [];
  let config: Config | null = null;
  try {
    config = parseEnv(vars);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (vars.ENCRYPTION_KEY === undefined || vars.ENCRYPTION_KEY.trim() === "") {
    problems.push(
      "ENCRYPTION_KEY is required on Workers (wrangler secret put ENCRYPTION_KEY): there is no disk to keep a generated key on",
    );
  }
  if (vars.STORAGE_DIR) {
    problems.push("STORAGE_DIR has no meaning on Workers: bind an R2 bucket as RENDITIONS instead");
  }
  const db = env.DB;
  if (!hasMethod(db, "prepare")) {
    problems.push('DB must be a D1 binding ([[d1_databases]] binding = "DB" in wrangler.toml)');
  }
  const jobs = env.JOBS;
  if (!hasMethod(jobs, "sendBatch")) {
    problems.push('JOBS must be a Queues producer binding ([[queues.producers]] binding = "JOBS")');
  }
  const renditions = env.RENDITIONS ?? null;
  if (renditions !== null && !hasMethod(renditions, "createMultipartUpload")) {
    problems.push('RENDITIONS, when bound, must be an R2 bucket ([[r2_buckets]] binding = "RENDITIONS")');
  }
  if (config?.sync.removeCreatedRenditions && renditions === null) {
    problems.push(
      "REMOVE_CREATED_RENDITIONS needs stored copies of the renditions: bind an R2 bucket as RENDITIONS",
    );
  }
  if (problems.length > 0 || !config || !db || !jobs) throw new ConfigError(problems);
  return {
    config,
    db,
    jobs,
    renditions,
    deadLetterQueue: vars.JOBS_DEAD_LETTER_QUEUE ?? DEFAULT_DEAD_LETTER_QUEUE,
  };
}

/** The vars and secrets: every binding that is a string (objects are D1, queues, buckets). */
function stringVars(env: WorkerBindings): Record<string, string | undefined> {
  const vars: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string") vars[name] = value;
  }
  return vars;
}

function hasMethod(value: unknown, method: string): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)[method] === "function"
  );
}
