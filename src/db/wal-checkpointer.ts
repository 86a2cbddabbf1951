/**
 * Copies the WAL into the database file on a thread of its own, so that the commits on the event
 * loop almost never do.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL past its threshold: that
 * commit copies every page written since the last checkpoint into the database file and fsyncs it.
 * On a large file those pages land far apart, and the event loop waits for all of them, webhooks
 * included (measured in BENCHMARKS.md §6: the seeded database's event loop stalled for hundreds
 * of milliseconds during webhook load).
 *
 * A worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` back to back while
 * there is something to copy, and every `idleMs` otherwise. A passive checkpoint takes no lock a
 * writer or a reader waits for. The serving connection keeps its own automatic checkpoint, at
 * `SERVING_AUTOCHECKPOINT_PAGES`: that bound is what lets the WAL start over under steady writes.
 * A writer restarts the WAL only when every frame has been copied when its transaction begins, and
 * with commits arriving during every background pass that moment never comes by itself. The
 * serving connection's checkpoint supplies it, and it has little left to copy, because the worker
 * has copied all but the last pass's frames. So the WAL stays near the bound, and the commit that
 * checkpoints costs about what an ordinary one does.
 *
 * The worker's connection uses the serving one's `synchronous`, so the database file is fsynced
 * exactly as SQLite's own checkpoint would: a 2xx survives what it survived before.
 *
 * Should the worker fail (it cannot load the driver, its connection errs), the serving connection
 * goes back to SQLite's own threshold and `onError` is told.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

/** SQLite's own `wal_autocheckpoint` default, restored if the worker fails. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * The serving connection's threshold while the worker runs (16 MiB of 4 KiB pages). Above
 * SQLite's 1,000 so that the worker, not the commit, copies nearly every page.
 */
export const SERVING_AUTOCHECKPOINT_PAGES = 4000;
/** How long the worker waits after a pass that found nothing new to copy. */
export const CHECKPOINT_IDLE_MS = 100;

/** What one passive checkpoint reported: frames in the WAL, and how many of them are now copied. */
export type CheckpointResult = { busy: boolean; walFrames: number; checkpointedFrames: number };

export type CheckpointerOptions = {
  path: string;
  synchronous: "FULL" | "NORMAL";
  idleMs?: number;
  onCheckpoint?: (result: CheckpointResult) => void;
  onError?: (error: Error) => void;
  /** The better-sqlite3 module the worker loads (resolved from here by default). */
  driver?: string;
};

export type WalCheckpointer = { stop(): void };

/**
 * The worker's code, run as CommonJS (`eval`): no separate file to locate in the sources, the
 * build and the installed package alike. A pass that copied frames or saw the WAL change is
 * followed at once by the next; a pass that found the WAL as the last one left it waits `idleMs`.
 * Reports go to the parent only when asked for (`report`), so an idle server posts nothing.
 * An error ends the thread, which the parent sees.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("synchronous = " + workerData.synchronous);
let stopped = false;
let timer = null;
let last = { log: -1, checkpointed: -1 };
const pass = () => {
  timer = null;
  if (stopped) return;
  const [row] = db.pragma("wal_checkpoint(PASSIVE)");
  if (workerData.report) {
    parentPort.postMessage({ busy: row.busy === 1, walFrames: row.log, checkpointedFrames: row.checkpointed });
  }
  const changed = row.log !== last.log || row.checkpointed !== last.checkpointed;
  last = { log: row.log, checkpointed: row.checkpointed };
  if (changed) setImmediate(pass);
  else timer = setTimeout(pass, workerData.idleMs);
};
pass();
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  stopped = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/** Starts checkpointing `sqlite`'s file in the background and raises its own threshold. */
export function startWalCheckpointer(
  sqlite: BetterSqlite3.Database,
  options: CheckpointerOptions,
): WalCheckpointer {
  sqlite.pragma(`wal_autocheckpoint = ${SERVING_AUTOCHECKPOINT_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      synchronous: options.synchronous,
      idleMs: options.idleMs ?? CHECKPOINT_IDLE_MS,
      report: options.onCheckpoint !== undefined,
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
  worker.on("message", (result: CheckpointResult) => options.onCheckpoint?.(result));
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
