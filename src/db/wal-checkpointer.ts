/**
 * Checkpoints the WAL on a thread of its own, so that no commit on the event loop pays for one.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: that
 * commit copies those pages into the database file and, unless `synchronous=OFF`, fsyncs it. On a
 * large file the pages land far apart and the fsync waits for all of them: measured here, such a
 * commit took 20–215 ms (221 of 20,000 five-row commits over 20 ms on a 2M-row random-key index),
 * against a 28 ms worst case once the main connection never checkpointed. The event loop waits
 * for every one of them, webhooks included.
 *
 * So the serving connection's `wal_autocheckpoint` is 0 and a worker thread with its own
 * connection runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`. A passive checkpoint takes
 * no lock a writer or a reader waits for; it copies what no open read still needs, and the next
 * writer starts the WAL over once everything was copied, so the `-wal` file stays about one
 * interval of writes long. The worker's connection uses the serving one's `synchronous`, so the
 * database file is fsynced exactly as SQLite's own checkpoint would.
 *
 * Should the worker fail (it cannot load the driver, its connection errs), the serving connection
 * takes its automatic checkpoint back and `onError` is told: the WAL never grows without bound.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

/** SQLite's own `wal_autocheckpoint` default, restored if the worker fails. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
export const CHECKPOINT_INTERVAL_MS = 1000;

/** What one passive checkpoint reported: frames in the WAL, and how many of them are now copied. */
export type CheckpointResult = { busy: boolean; walFrames: number; checkpointedFrames: number };

export type CheckpointerOptions = {
  path: string;
  synchronous: "FULL" | "NORMAL";
  intervalMs?: number;
  onCheckpoint?: (result: CheckpointResult) => void;
  onError?: (error: Error) => void;
  /** The better-sqlite3 module the worker loads (resolved from here by default). */
  driver?: string;
};

export type WalCheckpointer = { stop(): void };

/**
 * The worker's code, run as CommonJS (`eval`): no separate file to locate in the sources, the
 * build and the installed package alike. It reports each checkpoint to the parent; an error ends
 * the thread, which the parent sees.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("synchronous = " + workerData.synchronous);
db.pragma("busy_timeout = 1000");
const timer = setInterval(() => {
  const [row] = db.pragma("wal_checkpoint(PASSIVE)");
  parentPort.postMessage({ kind: "checkpoint", busy: row.busy === 1, walFrames: row.log, checkpointedFrames: row.checkpointed });
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

type WorkerMessage = { kind: "checkpoint" } & CheckpointResult;

/** Starts checkpointing `sqlite`'s file in the background and turns its own checkpoints off. */
export function startWalCheckpointer(
  sqlite: BetterSqlite3.Database,
  options: CheckpointerOptions,
): WalCheckpointer {
  sqlite.pragma("wal_autocheckpoint = 0");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      synchronous: options.synchronous,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      driver: options.driver ?? createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  // A checkpointer alone never keeps the process alive.
  worker.unref();
  let stopped = false;
  const fallBack = (error: Error) => {
    if (stopped) return;
    stopped = true;
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    options.onError?.(error);
  };
  worker.on("message", (message: WorkerMessage) => {
    if (message.kind === "checkpoint") {
      const { busy, walFrames, checkpointedFrames } = message;
      options.onCheckpoint?.({ busy, walFrames, checkpointedFrames });
    }
  });
  worker.on("error", fallBack);
  worker.on("exit", (code) => fallBack(new Error(`The WAL checkpointer exited (code ${code})`)));
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage("stop");
    },
  };
}
