/**
 * The serving connection never checkpoints inside a commit; a worker thread keeps the WAL short.
 * Each wait is a barrier on the worker's own report, never a sleep.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type NodeDatabase, openNodeDatabase } from "../../src/db/node";
import { type CheckpointResult, SQLITE_AUTOCHECKPOINT_PAGES } from "../../src/db/wal-checkpointer";

const ROUNDS = 24;
const ROWS_PER_ROUND = 250;
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

function writeRound(database: NodeDatabase, round: number): void {
  const insert = database.sqlite.prepare("INSERT INTO scratch (round, body) VALUES (?, randomblob(?))");
  database.sqlite.transaction(() => {
    for (let i = 0; i < ROWS_PER_ROUND; i++) insert.run(round, ROW_BYTES);
  })();
}

describe("background WAL checkpoints", () => {
  it("leaves every checkpoint to the worker and keeps the WAL about one round long", async () => {
    const path = join(dir, "db.sqlite");
    const seen = reports();
    const database = openNodeDatabase(path, {
      migrate: false,
      backgroundCheckpoints: { intervalMs: 10, onCheckpoint: seen.onCheckpoint },
    });
    open.push(database);
    database.sqlite.exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, round INTEGER, body BLOB)");
    expect(database.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(0);

    let largestWal = 0;
    for (let round = 0; round < ROUNDS; round++) {
      writeRound(database, round);
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
      // The round's frames are all in the database file before the next round begins.
      await seen.next((r) => !r.busy && r.walFrames > 0 && r.checkpointedFrames === r.walFrames);
    }

    const written = ROUNDS * ROWS_PER_ROUND * ROW_BYTES;
    const oneRound = ROWS_PER_ROUND * ROW_BYTES;
    // Without a checkpoint the WAL would hold every round (autocheckpoint is off).
    expect(largestWal).toBeLessThan(3 * oneRound);
    expect(largestWal).toBeLessThan(written / 6);
    expect(statSync(path).size).toBeGreaterThan(written);
    expect(database.sqlite.prepare("SELECT COUNT(*) AS n FROM scratch").get()).toEqual({
      n: ROUNDS * ROWS_PER_ROUND,
    });
  });

  it("hands checkpoints back to the commits when the worker cannot run", async () => {
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
      backgroundCheckpoints: { intervalMs: 10, onCheckpoint: seen.onCheckpoint },
    });
    database.sqlite.exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, round INTEGER, body BLOB)");
    writeRound(database, 0);
    await seen.next((r) => r.checkpointedFrames > 0);
    writeRound(database, 1);
    database.close();

    const reopened = openNodeDatabase(path, { migrate: false });
    open.push(reopened);
    expect(reopened.sqlite.prepare("SELECT COUNT(*) AS n FROM scratch").get()).toEqual({
      n: 2 * ROWS_PER_ROUND,
    });
    expect(existsSync(path)).toBe(true);
  });

  it("starts no worker for an in-memory database", () => {
    const database = openNodeDatabase(":memory:", { migrate: false, backgroundCheckpoints: {} });
    open.push(database);
    // SQLite's own setting is untouched (an in-memory database has no WAL to checkpoint).
    expect(database.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
  });
});
