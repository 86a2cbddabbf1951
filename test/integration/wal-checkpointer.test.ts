/**
 * A worker thread copies the WAL into the file, and its holds on the grouped writes let the WAL
 * start over under steady writes. Each wait is a barrier on the worker's own
 * report or on the file, never a sleep.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import {
  type CheckpointResult,
  SERVING_AUTOCHECKPOINT_PAGES,
  SQLITE_AUTOCHECKPOINT_PAGES,
  WAL_RESTART_PAGES,
} from "../../src/db/wal-checkpointer";

const ROW_BYTES = 4096;

let dir: string;
let open: NodeDatabase[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-checkpointer-"));
});
afterEach(() => {
  for (const database of open) database.close();
  open = [];
  rmSync(dir, { recursive: true, force: true });
});

/** Checkpoint reports, and a barrier on the next one that matches. */
function reports() {
  const waiters: Array<{ match: (r: CheckpointResult) => boolean; resolve: (r: CheckpointResult) => void }> =
    [];
  return {
    onCheckpoint(result: CheckpointResult) {
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(result)) waiter.resolve(result);
        else waiters.push(waiter);
      }
    },
    next(match: (r: CheckpointResult) => boolean): Promise<CheckpointResult> {
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

function writeRows(database: NodeDatabase, rows: number, round: number): void {
  const insert = database.sqlite.prepare("INSERT INTO scratch (round, body) VALUES (?, randomblob(?))");
  database.sqlite.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(round, ROW_BYTES);
  })();
}

function openWithWorker(path: string, onCheckpoint: (r: CheckpointResult) => void): NodeDatabase {
  const database = openNodeDatabase(path, { migrate: false, backgroundCheckpoints: { onCheckpoint } });
  open.push(database);
  database.sqlite.exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, round INTEGER, body BLOB)");
  return database;
}

const walBytes = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

describe("background WAL checkpoints", () => {
  it("raises the serving connection's threshold and copies each commit into the file on the worker", async () => {
    const path = join(dir, "db.sqlite");
    const seen = reports();
    const database = openWithWorker(path, seen.onCheckpoint);
    expect(database.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(SERVING_AUTOCHECKPOINT_PAGES);

    const rows = 200;
    writeRows(database, rows, 0);
    // Far below the serving threshold: only the worker can have copied these frames.
    const copied = await seen.next(
      (r) => !r.busy && r.walFrames >= rows && r.checkpointedFrames === r.walFrames,
    );
    expect(copied.walFrames).toBeLessThan(SERVING_AUTOCHECKPOINT_PAGES);
    expect(statSync(path).size).toBeGreaterThan(rows * ROW_BYTES);
  });

  it("starts the WAL over under grouped writes that never pause, without a commit checkpointing", async () => {
    const path = join(dir, "db.sqlite");
    const database = openWithWorker(path, () => {});
    const perCommit = 50;
    const commits = Math.ceil((9 * WAL_RESTART_PAGES) / (2 * perCommit));
    let largest = 0;
    for (let i = 0; i < commits; i++) {
      await database.atomic(
        Array.from(
          { length: perCommit },
          () => sql`INSERT INTO scratch (round, body) VALUES (${i}, randomblob(${ROW_BYTES}))`,
        ),
      );
      largest = Math.max(largest, walBytes(path));
    }
    // Each row takes two pages (its 4 KiB blob overflows one): the commits write 9 restart
    // bounds' worth, over twice the serving connection's own threshold. Only the worker's holds
    // start the WAL over below that threshold; without them it grows to the threshold, where a
    // commit on the event loop checkpoints.
    const frameBytes = ROW_BYTES + 24;
    expect(commits * perCommit * 2).toBeGreaterThan(2 * SERVING_AUTOCHECKPOINT_PAGES);
    expect(largest).toBeLessThan(SERVING_AUTOCHECKPOINT_PAGES * frameBytes);
    expect(database.sqlite.prepare("SELECT COUNT(*) AS n FROM scratch").get()).toEqual({
      n: commits * perCommit,
    });
  });

  it("hands checkpoints back to SQLite's threshold when the worker cannot run", async () => {
    const path = join(dir, "db.sqlite");
    const failed = new Promise<Error>((resolve) => {
      const database = openNodeDatabase(path, {
        migrate: false,
        backgroundCheckpoints: { driver: join(dir, "no-such-driver.js"), onError: resolve },
      });
      open.push(database);
    });
    const error = await failed;
    expect(error.message).toMatch(/no-such-driver|Cannot find module/);
    expect(open[0]?.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
  });

  it("closes with the worker and reopens with every committed row", async () => {
    const path = join(dir, "db.sqlite");
    const seen = reports();
    const database = openNodeDatabase(path, {
      migrate: false,
      backgroundCheckpoints: { onCheckpoint: seen.onCheckpoint },
    });
    database.sqlite.exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, round INTEGER, body BLOB)");
    writeRows(database, 100, 0);
    await seen.next((r) => r.checkpointedFrames > 0);
    writeRows(database, 100, 1);
    database.close();

    const reopened = openNodeDatabase(path, { migrate: false });
    open.push(reopened);
    expect(reopened.sqlite.prepare("SELECT COUNT(*) AS n FROM scratch").get()).toEqual({ n: 200 });
  });

  it("starts no worker for an in-memory database", () => {
    const database = openNodeDatabase(":memory:", { migrate: false, backgroundCheckpoints: {} });
    open.push(database);
    expect(database.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
  });
});
