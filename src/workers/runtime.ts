/**
 * Everything a Worker invocation needs: the one service graph over D1, R2 and Cloudflare Queues
 * (dispatcher and consumer), built from the bindings lazily on the first invocation of an isolate
 * and reused by the next ones.
 */
import { openD1Database } from "../db/d1";
import { platformClock } from "../lib/clock";
import { SecretBox } from "../lib/secret-box";
import { bootstrapDefaults } from "../resources/bootstrap";
import { reportUnopenableSecrets } from "../resources/sealed-secrets";
import { createServiceGraph, type ServiceGraph } from "../service-graph";
import { settingsFromConfig } from "../settings";
import { R2ObjectStorage } from "../storage/r2";
import { readWorkerSetup, type WorkerBindings, type WorkerSetup } from "./bindings";

/**
 * Listing pages per run of a reconcile job. A page of 100 new assets costs about 106 D1 queries
 * (lookups, one enqueue each, counters), and the end of a pass adds up to ~200 more (re-checks,
 * deletion checks), so 3 pages keep one run well under D1's 1,000 queries per invocation even
 * when it shares its batch with ingest jobs. A longer pass saves its cursor and continues in the
 * next run of the job.
 */
export const RECONCILE_PAGES_PER_RUN = 3;

/**
 * The most waiting objects one pass re-checks on Workers: they are enqueued in one D1 batch at
 * the end of the pass, one statement each, in the same invocation as up to 3 pages (~320
 * statements), so a larger RECHECK_BUDGET is cut to this to stay under 1,000.
 */
export const WORKERS_MAX_RECHECK_BUDGET = 300;

export type WorkerRuntime = ServiceGraph & {
  setup: WorkerSetup;
  dispatcher: NonNullable<ServiceGraph["dispatcher"]>;
  consumer: NonNullable<ServiceGraph["consumer"]>;
};

/**
 * One runtime per isolate, keyed on the `env` object Cloudflare hands every invocation of that
 * isolate. This cache is the only module state: it keeps what is worth keeping between
 * invocations (derived encryption key, decrypted credentials, HMAC keys, Mux clients and their
 * rate-limit buckets) without a global singleton, and a different `env` (another test, a
 * redeploy) simply gets its own runtime. It holds finished runtimes only, never a promise, so one
 * invocation never waits on I/O started by another (Workers forbids sharing I/O across requests).
 */
const runtimes = new WeakMap<WorkerBindings, WorkerRuntime>();

/** The isolate's runtime for these bindings; throws `ConfigError` when the configuration is bad. */
export async function runtimeFor(env: WorkerBindings): Promise<WorkerRuntime> {
  const cached = runtimes.get(env);
  if (cached) return cached;
  const built = await buildRuntime(env);
  // Two invocations may have cold-started together: keep whichever finished first.
  const winner = runtimes.get(env) ?? built;
  runtimes.set(env, winner);
  return winner;
}

async function buildRuntime(env: WorkerBindings): Promise<WorkerRuntime> {
  const setup = readWorkerSetup(env);
  const settings = settingsFromConfig(setup.config);
  settings.reconcile.maxPagesPerRun = RECONCILE_PAGES_PER_RUN;
  settings.reconcile.recheckBudget = Math.min(settings.reconcile.recheckBudget, WORKERS_MAX_RECHECK_BUDGET);
  // No in-isolate token bucket: its waiters would be resumed from other requests' timers, which
  // Workers does not allow, and isolates do not share it anyway. Mux's 429 + Retry-After is
  // honoured through the queue (the message is retried after the delay).
  settings.muxApi.ratePerSecond = null;
  settings.muxApi.writesPerSecond = null;
  // Cloudflare's edge sets CF-Connecting-IP on every request (a client cannot supply its own).
  settings.http.clientAddress = "cf-connecting-ip";
  const database = openD1Database(setup.db);
  // readWorkerSetup guarantees ENCRYPTION_KEY; the fallback only satisfies the type.
  const box = await SecretBox.fromPassphrase(setup.config.encryptionKey ?? "");
  const graph = createServiceGraph(settings, {
    database,
    box,
    clock: platformClock,
    storage: setup.renditions ? new R2ObjectStorage(setup.renditions) : null,
    logFields: { runtime: "workers" },
    queues: { producer: setup.jobs },
  });
  await bootstrapDefaults(graph.deps, settings.defaults);
  await reportUnopenableSecrets(graph.deps);
  const { dispatcher, consumer } = graph;
  if (!dispatcher || !consumer) throw new Error("The service graph was built without its Queues adapters");
  return { ...graph, setup, dispatcher, consumer };
}
