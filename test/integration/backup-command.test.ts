/**
 * `mux-ingest backup FILE`: an online copy that is consistent while another connection keeps
 * writing, checked, 0600, never over an existing file, and without the encryption key.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runBackup } from "../../src/cli/backup";
import { openNodeDatabase } from "../../src/db/node";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "backup-"));
  dirs.push(dir);
  return dir;
}

function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe("mux-ingest backup", () => {
  it("copies a database that another connection keeps writing to, consistent and checked", async () => {
    const dir = folder();
    const databasePath = join(dir, "live.db");
    const live = openNodeDatabase(databasePath);
    const insert = live.sqlite.prepare(
      "INSERT INTO webhook_events (id, connection_id, type, outcome, nonce, received_at) VALUES (?, 'con_1', 'video.asset.ready', 'enqueued', ?, ?)",
    );
    live.sqlite.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(`evt_${i}`, `n${i}`, i);
    })();
    // A writer that keeps going while the copy is made: the backup API restarts on a change
    // and ends with a copy of one instant, never a torn one.
    let written = 20_000;
    const writer = setInterval(() => {
      insert.run(`evt_${written}`, `n${written}`, written);
      written++;
    }, 0);
    const output = captureStdout();
    const target = join(dir, "copy.db");
    const code = await runBackup([target, "--json"], { DATABASE_PATH: databasePath });
    clearInterval(writer);
    vi.restoreAllMocks();
    live.close();

    expect(code).toBe(0);
    const result = JSON.parse(output.join(""));
    expect(result).toMatchObject({ check: "ok", key: join(dir, "encryption.key") });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const copy = new BetterSqlite3(target, { readonly: true });
    const { n } = copy.prepare("SELECT COUNT(*) AS n FROM webhook_events").get() as { n: number };
    const ids = copy.prepare("SELECT MAX(received_at) AS last FROM webhook_events").get() as { last: number };
    copy.close();
    // A prefix of the writes, with no gap: rows 0..n-1 exactly.
    expect(n).toBeGreaterThanOrEqual(20_000);
    expect(ids.last).toBe(n - 1);
    expect(n).toBeLessThanOrEqual(written);
  });

  it("never overwrites a file, and says so", async () => {
    const dir = folder();
    const databasePath = join(dir, "live.db");
    openNodeDatabase(databasePath).close();
    const target = join(dir, "taken.db");
    writeFileSync(target, "precious");
    const output = captureStdout();
    expect(await runBackup([target], { DATABASE_PATH: databasePath })).toBe(1);
    expect(output.join("")).toContain("never overwrites");
    vi.restoreAllMocks();
    expect(statSync(target).size).toBe("precious".length);
  });

  it("refuses without a database, without a file name, or with two", async () => {
    const dir = folder();
    captureStdout();
    expect(await runBackup([join(dir, "out.db")], { DATABASE_PATH: join(dir, "missing.db") })).toBe(1);
    expect(existsSync(join(dir, "missing.db"))).toBe(false);
    expect(await runBackup([], { DATABASE_PATH: join(dir, "missing.db") })).toBe(2);
    expect(await runBackup(["a.db", "b.db"], { DATABASE_PATH: join(dir, "missing.db") })).toBe(2);
  });
});
