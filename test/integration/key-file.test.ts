/**
 * The local key file and the database, as real files in a temp dir: a key file that is not a
 * whole 32-byte key is refused at start (it would seal secrets under a guessable key), and the
 * database, its WAL and SHM and the key file are 0600, looser modes being tightened and logged.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env";
import { buckets } from "../../src/db/schema";
import { LOCAL_KEY_BYTES, localKeyProblem } from "../../src/node/local-encryption-key";
import { openNode } from "../../src/node/open-node";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

async function open(logs: string[] = []) {
  return openNode(parseEnv({ DATABASE_PATH: join(dir, "db", "mux-ingest.db") }), {
    logWrite: (line) => logs.push(line),
    logLevel: "debug",
  });
}

describe("encryption.key", () => {
  it("refuses an empty, short or non-base64/hex key file at start, before creating the database", async () => {
    for (const content of [
      "",
      "\n",
      "c2hvcnQ=",
      "not base64 at all!",
      "a".repeat(63),
      Buffer.alloc(16).toString("base64"),
    ]) {
      dir = mkdtempSync(join(tmpdir(), "mux-ingest-key-"));
      const keyPath = join(dir, "db", "encryption.key");
      mkdirSync(join(dir, "db"));
      writeFileSync(keyPath, content, { mode: 0o600 });
      await expect(open()).rejects.toThrow(
        /encryption\.key: (is empty|holds \d+ bytes|is neither base64 nor hex)/,
      );
      expect(existsSync(join(dir, "db", "mux-ingest.db"))).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    }
    dir = mkdtempSync(join(tmpdir(), "mux-ingest-key-"));
  });

  it("accepts exactly a 32-byte key in base64 or hex, and nothing else (property)", () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(bytes(LOCAL_KEY_BYTES), (key) => {
        expect(localKeyProblem(key.toString("base64"))).toBeNull();
        expect(localKeyProblem(key.toString("hex"))).toBeNull();
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 80 }).filter((n) => n !== LOCAL_KEY_BYTES),
        fc.boolean(),
        (n, hex) => {
          const key = Buffer.alloc(n, 0xa5).toString(hex ? "hex" : "base64");
          // A 48-byte base64 key is 64 characters, which would be a whole hex key if it were hex.
          expect(localKeyProblem(key)).not.toBeNull();
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const whole =
          /^[0-9a-fA-F]{64}$/.test(text) ||
          (/^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, "base64").length === 32);
        expect(localKeyProblem(text) === null).toBe(whole);
      }),
    );
  });
});

describe("file modes", () => {
  it("creates the key file, the database, its WAL and SHM with mode 0600, the WAL checked after a write", async () => {
    dir = mkdtempSync(join(tmpdir(), "mux-ingest-key-"));
    const previous = process.umask(0o022);
    try {
      const node = await open();
      await node.database.db
        .insert(buckets)
        .values({ id: "bkt_x", name: "x", createdAt: 1, updatedAt: 1 })
        .run();
      const base = join(dir, "db", "mux-ingest.db");
      for (const file of [join(dir, "db", "encryption.key"), base, `${base}-wal`, `${base}-shm`]) {
        expect(existsSync(file)).toBe(true);
        expect(mode(file).toString(8)).toBe("600");
      }
      node.database.close();
    } finally {
      process.umask(previous);
    }
  });

  it("tightens looser modes left on existing files, and logs each", async () => {
    dir = mkdtempSync(join(tmpdir(), "mux-ingest-key-"));
    const first = await open();
    first.database.close();
    const base = join(dir, "db", "mux-ingest.db");
    const files = [join(dir, "db", "encryption.key"), base];
    for (const file of files) chmodSync(file, 0o644);
    const logs: string[] = [];
    const node = await open(logs);
    node.database.close();
    for (const file of files) {
      expect(mode(file).toString(8)).toBe("600");
      expect(
        logs.some(
          (line) => line.includes("mode is now 0600") && line.includes(file) && line.includes("0644"),
        ),
      ).toBe(true);
    }
  });
});
