/**
 * `DATABASE_SYNCHRONOUS` decides what an acknowledged write survives on Node: the value is
 * validated at start-up, and the pragma the database is opened with is the one configured,
 * through the same entry `mux-ingest serve` uses (`openNode`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../src/config/env";
import { openNodeDatabase } from "../../src/db/node";
import { DEFAULT_DATABASE_SYNCHRONOUS } from "../../src/db/synchronous";
import { openNode } from "../../src/node/open-node";

/** SQLite's numbers for `PRAGMA synchronous`. */
const PRAGMA_VALUE = { normal: 1, full: 2 } as const;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-synchronous-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("DATABASE_SYNCHRONOUS", () => {
  it("accepts full and normal, and defaults to the driver's default", () => {
    expect(parseEnv({}).databaseSynchronous).toBe(DEFAULT_DATABASE_SYNCHRONOUS);
    expect(parseEnv({ DATABASE_SYNCHRONOUS: "" }).databaseSynchronous).toBe(DEFAULT_DATABASE_SYNCHRONOUS);
    expect(parseEnv({ DATABASE_SYNCHRONOUS: "full" }).databaseSynchronous).toBe("full");
    expect(parseEnv({ DATABASE_SYNCHRONOUS: " normal " }).databaseSynchronous).toBe("normal");
  });

  it.each(["off", "extra", "FULL", "2", "full; DROP TABLE jobs"])(
    "refuses %j, naming the variable and the choices",
    (value) => {
      let error: unknown;
      try {
        parseEnv({ DATABASE_SYNCHRONOUS: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual(["DATABASE_SYNCHRONOUS must be full or normal"]);
    },
  );

  it.each(["full", "normal"] as const)("opens the database with synchronous=%s, in WAL mode", (mode) => {
    const database = openNodeDatabase(join(dir, `${mode}.db`), { synchronous: mode });
    try {
      expect(database.sqlite.pragma("synchronous", { simple: true })).toBe(PRAGMA_VALUE[mode]);
      expect(database.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      database.close();
    }
  });

  it("opens with the default when none is asked for", () => {
    const database = openNodeDatabase(join(dir, "default.db"));
    try {
      expect(database.sqlite.pragma("synchronous", { simple: true })).toBe(
        PRAGMA_VALUE[DEFAULT_DATABASE_SYNCHRONOUS],
      );
    } finally {
      database.close();
    }
  });

  it.each(["full", "normal"] as const)("is applied by the serve entry (openNode) with %s", async (mode) => {
    const config = parseEnv({
      DATABASE_PATH: join(dir, "serve.db"),
      DATABASE_SYNCHRONOUS: mode,
      ENCRYPTION_KEY: "an-encryption-key-of-at-least-32-characters",
      LOG_LEVEL: "error",
    });
    const node = await openNode(config, { logWrite: () => {} });
    try {
      expect(node.database.sqlite.pragma("synchronous", { simple: true })).toBe(PRAGMA_VALUE[mode]);
    } finally {
      await node.runner.stop(1_000);
      node.database.close();
    }
  });
});
