/**
 * `mux-ingest rekey` on a real database file: keys come from a variable or a file, never the
 * command line, and are never printed; a wrong old key changes nothing; the right one re-seals
 * everything so the service opens it under the new key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runRekey } from "../../src/cli/rekey";
import { parseEnv } from "../../src/config/env";
import { openNodeDatabase } from "../../src/db/node";
import { SecretBox } from "../../src/lib/secret-box";
import { openNode } from "../../src/node/open-node";
import {
  TEST_PIPELINE_SECRET,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";

const OLD_KEY = "the-old-encryption-key-0123456789abcdef";
const NEW_KEY = "the-new-encryption-key-0123456789abcdef";
let dir: string;
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function env(key: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    ENCRYPTION_KEY: key,
    MUX_TOKEN_ID: TEST_TOKEN_ID,
    MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    PIPELINE_SECRET: TEST_PIPELINE_SECRET,
    LOG_LEVEL: "error",
    ...extra,
  };
}

/** Every sealed value in the file, opened with `key` (without starting the service, which re-seals the env's own). */
async function openAll(key: string): Promise<string[]> {
  const database = openNodeDatabase(join(dir, "mux-ingest.db"));
  const box = await SecretBox.fromPassphrase(key);
  try {
    const rows = database.sqlite
      .prepare(
        "select access_token_secret as v from connections union all select webhook_secrets from connections union all select pipeline_secret from buckets",
      )
      .all() as Array<{ v: string | null }>;
    return await Promise.all(rows.flatMap((r) => (r.v ? [box.open(r.v)] : [])));
  } finally {
    database.close();
  }
}

describe("mux-ingest rekey", () => {
  it("refuses a wrong old key changing nothing, then re-seals under the configured key; keys never printed", async () => {
    dir = mkdtempSync(join(tmpdir(), "mux-ingest-rekey-"));
    const first = await openNode(parseEnv(env(OLD_KEY)), { logWrite: () => {} });
    first.database.sqlite.prepare("update connections set origin = 'api' where id = 'con_default'").run();
    first.database.close();
    const out: string[] = [];
    // Whatever the CLI prints goes through its output boundary to these two streams.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk).replace(/\n$/, ""));
        return true;
      });
    }
    const before = readFileSync(join(dir, "mux-ingest.db"));

    writeFileSync(join(dir, "wrong.key"), "a-wrong-old-key-0123456789abcdefgh\n");
    expect(await runRekey(["--from-key", join(dir, "wrong.key")], env(NEW_KEY))).toBe(1);
    expect(out.join("\n")).toMatch(/nothing was changed/);
    expect(readFileSync(join(dir, "mux-ingest.db")).equals(before)).toBe(true);
    expect(await runRekey(["--from-key", OLD_KEY], env(NEW_KEY))).toBe(2);

    expect(await runRekey(["--from-key", "env:OLD_KEY"], env(NEW_KEY, { OLD_KEY }))).toBe(0);
    expect(out.at(-1)).toMatch(/Re-sealed 3 secret\(s\) of 1 connection\(s\) and 1 bucket\(s\)/);
    for (const line of out) for (const key of [OLD_KEY, NEW_KEY]) expect(line).not.toContain(key);
    expect(await openAll(NEW_KEY)).toEqual([
      TEST_TOKEN_SECRET,
      JSON.stringify([TEST_WEBHOOK_SECRET]),
      TEST_PIPELINE_SECRET,
    ]);
    await expect(openAll(OLD_KEY)).rejects.toThrow();
  });
});
