/**
 * Copies the WAL into the database file on a thread of its own, so that the commits on the event
 * loop almost never do.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL past its threshold: that
 * commit copies every page written since the last checkpoint into the database file and fsyncs it.
 * On a large file those pages land far apart, and the event loop would wait for all of them and
 * the fsyncs, webhooks included.
 *
 * A worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` back to back while
 * there is something to copy, and every `idleMs` otherwise. A passive checkpoint takes no lock a
 * writer or a reader waits for. SQLite starts the WAL over only when a write transaction begins
 * with every frame copied, and with commits arriving during every pass that moment never comes
 * by itself: so once the WAL holds `WAL_RESTART_PAGES`, the worker holds the serving connection's
 * grouped writes (`write-gate.ts`: their callers wait, the event loop does not) until it has copied
 * the rest, and the next group's transaction starts the WAL over. The serving connection keeps an
 * automatic checkpoint of its own only as a net, at `SERVING_AUTOCHECKPOINT_PAGES`, for a WAL that
 * writes outside the gate or a reader in another process keep from starting over.
 *
 * The worker's connection uses the serving one's `synchronous`, so the database file is fsynced
 * exactly as SQLite's own checkpoint would: a 2xx survives what it survived before.
 *
 * Should the worker fail (it cannot load the driver, its connection errs), the serving connection
 * goes back to SQLite's own threshold, writes are no longer held, and `onError` is told.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { HeldWrites, type WriteGate } from "./write-gate";

/** SQLite's own `wal_autocheckpoint` default, restored if the worker fails. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/** The WAL's size (16 MiB of 4 KiB pages) past which the worker holds writes to start it over. */
export const WAL_RESTART_PAGES = 4000;
/**
 * The serving connection's own threshold while the worker runs (64 MiB of 4 KiB pages): a commit
 * on the event loop checkpoints only a WAL that the worker's holds could not start over.
 */
export const SERVING_AUTOCHECKPOINT_PAGES = 16_000;
/** How long the worker waits after a pass that found nothing new to copy. */
export const CHECKPOINT_IDLE_MS = 100;
/** The same wait while writes are held: they are waiting for this pass. */
export const HOLD_RETRY_MS = 2;
/** How long the worker leaves the WAL alone after a release, for the held group to restart it. */
export const RESTART_GRACE_MS = 5;

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

export type WalCheckpointer = {
  /** Held by the worker while it copies the last frames of a WAL it is about to start over. */
  readonly gate: WriteGate;
  stop(): void;
};

/** What the worker posts: a report (only when asked for), or a hold on writes and its release. */
type WorkerMessage = { kind: "report"; result: CheckpointResult } | { kind: "hold" } | { kind: "release" };

/**
 * The worker's code, run as CommonJS (`eval`): no separate file to locate in the sources, the
 * build and the installed package alike. A pass that copied frames or saw the WAL change is
 * followed at once by the next; a pass that found the WAL as the last one left it waits `idleMs`,
 * or `HOLD_RETRY_MS` while it holds writes (a reader keeps frames from being copied). A hold is
 * released only by a pass that began after the parent acknowledged it (`held`): a pass reports
 * the frames the WAL had when it began, so one that began earlier may have missed the commits
 * made before the parent stopped. Reports go to the parent only when asked for (`report`), holds
 * and releases always; an idle server posts nothing. An error ends the thread, which the parent
 * sees.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("synchronous = " + workerData.synchronous);
let stopped = false;
let timer = null;
let last = { log: -1, checkpointed: -1 };
let holding = false;
let acknowledged = false;
const pass = () => {
  timer = null;
  if (stopped) return;
  const [row] = db.pragma("wal_checkpoint(PASSIVE)");
  if (workerData.report) {
    const result = { busy: row.busy === 1, walFrames: row.log, checkpointedFrames: row.checkpointed };
    parentPort.postMessage({ kind: "report", result });
  }
  let released = false;
  if (!holding && row.log >= workerData.restartPages) {
    holding = true;
    acknowledged = false;
    parentPort.postMessage({ kind: "hold" });
  } else if (holding && acknowledged && row.busy === 0 && row.checkpointed === row.log) {
    // This pass began after the parent held its writes, so nothing it did not copy is waiting.
    holding = false;
    released = true;
    parentPort.postMessage({ kind: "release" });
  }
  const changed = row.log !== last.log || row.checkpointed !== last.checkpointed;
  last = { log: row.log, checkpointed: row.checkpointed };
  // After a release, no pass until the held group has begun its transaction: a pass copying
  // frames keeps that transaction from starting the WAL over.
  if (released) timer = setTimeout(pass, workerData.restartGraceMs);
  else if (changed) setImmediate(pass);
  else timer = setTimeout(pass, holding ? workerData.holdRetryMs : workerData.idleMs);
};
pass();
parentPort.on("message", (message) => {
  if (message === "held") {
    acknowledged = true;
    return;
  }
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
      holdRetryMs: HOLD_RETRY_MS,
      restartGraceMs: RESTART_GRACE_MS,
      restartPages: WAL_RESTART_PAGES,
      report: options.onCheckpoint !== undefined,
      driver: options.driver ?? createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  // A checkpointer alone never keeps the process alive.
  worker.unref();
  const gate = new HeldWrites();
  let stopped = false;
  const fallBack = (error: Error) => {
    if (stopped) return;
    stopped = true;
    gate.close();
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    options.onError?.(error);
  };
  worker.on("message", (message: WorkerMessage) => {
    if (message.kind === "hold") {
      // Held from now: the worker's next pass copies the last frames these writes will wait for.
      gate.hold();
      worker.postMessage("held");
    } else if (message.kind === "release") gate.release();
    else options.onCheckpoint?.(message.result);
  });
  worker.on("error", fallBack);
  worker.on("exit", (code) => fallBack(new Error(`The WAL checkpointer exited (code ${code})`)));
  return {
    gate,
    stop() {
      if (stopped) return;
      stopped = true;
      gate.close();
      worker.postMessage("stop");
    },
  };
}
