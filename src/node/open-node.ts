/**
 * The Node runtime's adapters around the one service graph: the better-sqlite3 file, the
 * encryption key, `STORAGE_DIR`, node:crypto's HMAC and prom-client metrics. Every Node command
 * (`serve`, `status`, `sync --once`, `connections test`), the demo and the benchmarks open the
 * service through here; nothing is started. It also sets the process's V8 heap growth
 * (`heap-policy.ts`), so a long pass's garbage never piles up to several times the live heap.
 */
import type { Config } from "../config/env";
import { type NodeDatabase, openNodeDatabase } from "../db/node";
import type { Clock } from "../lib/clock";
import type { LogLevel } from "../lib/logger";
import { SecretBox } from "../lib/secret-box";
import { createPrometheusMetrics } from "../metrics/prometheus";
import { nodeHmac } from "../mux/node-hmac";
import type { JobOutcome } from "../queue/runner";
import { bootstrapDefaults } from "../resources/bootstrap";
import { reportUnopenableSecrets } from "../resources/sealed-secrets";
import { createServiceGraph, type ServiceGraph } from "../service-graph";
import { type Settings, settingsFromConfig } from "../settings";
import { FileSystemStorage } from "../storage/filesystem";
import { applyHeapPolicy } from "./heap-policy";
import { configuredKey } from "./local-encryption-key";

export type NodeOptions = {
  clock?: Clock;
  fetch?: typeof fetch;
  /** Where log lines go (default stdout) and the least level written (default LOG_LEVEL): CLI commands keep stdout for their output. */
  logWrite?: (line: string) => void;
  logLevel?: LogLevel;
  /** Settings no variable sets (benchmarks lift Mux's client-side rate limit). */
  adjust?: (settings: Settings) => void;
  /** Also told about every job's outcome (benchmarks count them). */
  onJobOutcome?: (type: string, outcome: JobOutcome, durationMs: number) => void;
};

export type NodeGraph = ServiceGraph & { database: NodeDatabase };

export async function openNode(config: Config, options: NodeOptions = {}): Promise<NodeGraph> {
  applyHeapPolicy();
  const settings = settingsFromConfig(config);
  if (options.logLevel) settings.log.level = options.logLevel;
  options.adjust?.(settings);
  // The key first: a bad key file stops start-up before the database is touched.
  const passphrase = configuredKey(config);
  const tightened = passphrase.tightened ? [passphrase.tightened] : [];
  const database = openNodeDatabase(config.databasePath, {
    synchronous: config.databaseSynchronous,
    onModeTightened: (path, mode) => tightened.push({ path, mode: mode.toString(8).padStart(4, "0") }),
    // A worker's failure arrives as an event on a later turn, once `graph` below exists.
    backgroundCheckpoints: {
      onError: (error) =>
        graph.logger.error("The WAL checkpointer stopped: commits checkpoint the WAL themselves again", {
          error: error.message,
        }),
    },
  });
  const graph = createServiceGraph(settings, {
    database,
    box: await SecretBox.fromPassphrase(passphrase.key),
    clock: options.clock,
    fetch: options.fetch,
    hmac: nodeHmac,
    storage: config.storageDir ? new FileSystemStorage(config.storageDir) : null,
    metrics: (input) => createPrometheusMetrics({ ...input, processMetrics: true }),
    logWrite: options.logWrite,
    onJobOutcome: options.onJobOutcome,
  });
  for (const file of tightened)
    graph.logger.warn("A file holding secrets was open to others: its mode is now 0600", file);
  if (passphrase.generatedAt) {
    graph.logger.warn("ENCRYPTION_KEY is not set: generated a local key next to the database", {
      path: passphrase.generatedAt,
    });
  }
  await bootstrapDefaults(graph.deps, settings.defaults);
  await reportUnopenableSecrets(graph.deps);
  return { ...graph, database };
}
