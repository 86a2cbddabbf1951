import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { parseEnv } from "../../src/config/env";
import { bootstrapDefaults } from "../../src/resources/bootstrap";
import { defaultSyncSpec } from "../../src/settings";
import {
  createHarness,
  type Harness,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "../helpers/harness";

let h: Harness;
afterEach(() => h?.close());

const env = (extra: Record<string, string> = {}) =>
  parseEnv({
    MUX_TOKEN_ID: TEST_TOKEN_ID,
    MUX_TOKEN_SECRET: TEST_TOKEN_SECRET,
    MUX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ...extra,
  });

describe("bootstrap from the environment", () => {
  it("creates the default connection, bucket and sync once, and updates them on later starts", async () => {
    h = await createHarness({ bootstrap: false });
    const deps = h.deps;
    expect(await bootstrapDefaults(deps, defaultSyncSpec(env()))).toEqual({
      created: true,
      syncId: "syn_default",
    });
    expect(
      await bootstrapDefaults(
        deps,
        defaultSyncSpec(
          env({
            POLLING_INTERVAL_SECONDS: "60",
            PIPELINE_URL: "https://p.test/x",
            PIPELINE_SECRET: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0",
          }),
        ),
      ),
    ).toEqual({
      created: false,
      syncId: "syn_default",
    });
    const count = (t: string) =>
      (h.database.sqlite.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
    expect([count("connections"), count("buckets"), count("syncs")]).toEqual([1, 1, 1]);
    expect(h.database.sqlite.prepare("select polling_interval_seconds as p from syncs").get()).toEqual({
      p: 60,
    });
    expect(h.database.sqlite.prepare("select pipeline_url as u from buckets").get()).toEqual({
      u: "https://p.test/x",
    });
  });

  it("stores the token secret and webhook secret encrypted, with masks only", async () => {
    h = await createHarness();
    const row = h.database.sqlite.prepare("select * from connections").get() as Record<string, string>;
    expect(JSON.stringify(row)).not.toContain(TEST_TOKEN_SECRET);
    expect(JSON.stringify(row)).not.toContain(TEST_WEBHOOK_SECRET);
    expect(row.access_token_secret).toMatch(/^v1\./);
    expect(JSON.parse(row.secret_hints ?? "{}")).toEqual({
      access_token_secret: "alue",
      webhook_secrets: ["et-1"],
    });
    const credentials = await h.deps.credentials.get("con_default");
    expect(credentials.tokenSecret).toBe(TEST_TOKEN_SECRET);
  });

  it("puts a completed initial_only sync back to work when SYNC_MODE becomes continuous", async () => {
    h = await createHarness({ env: { SYNC_MODE: "initial_only" } });
    h.database.sqlite.prepare("update syncs set status = 'completed'").run();
    await bootstrapDefaults(h.deps, defaultSyncSpec(env({ SYNC_MODE: "continuous" })));
    expect(h.database.sqlite.prepare("select status, sync_mode from syncs").get()).toEqual({
      status: "active",
      sync_mode: "continuous",
    });
  });

  it("takes CREATE_RENDITIONS, REMOVE_CREATED_RENDITIONS, WAIT_FOR and its grace into the default sync", async () => {
    const storage = mkdtempSync(join(tmpdir(), "mux-ingest-bootstrap-"));
    onTestFinished(() => rmSync(storage, { recursive: true, force: true }));
    h = await createHarness({ bootstrap: false, env: { STORAGE_DIR: storage } });
    await bootstrapDefaults(
      h.deps,
      defaultSyncSpec(
        env({
          CREATE_RENDITIONS: " highest , audio-only ",
          REMOVE_CREATED_RENDITIONS: "true",
          WAIT_FOR: "captions",
          WAIT_FOR_GRACE_SECONDS: "120",
        }),
      ),
    );
    expect(
      h.database.sqlite
        .prepare(
          "select create_renditions as c, remove_created_renditions as r, wait_for as w, wait_for_grace_seconds as g from syncs",
        )
        .get(),
    ).toEqual({ c: '["highest","audio-only"]', r: 1, w: '["captions"]', g: 120 });
    expect(() => env({ CREATE_RENDITIONS: "highest,720p" })).toThrow(
      /CREATE_RENDITIONS must not mix "highest"/,
    );
    expect(() => env({ WAIT_FOR: "chapters" })).toThrow(/WAIT_FOR must be "captions"/);
  });

  it("refuses REMOVE_CREATED_RENDITIONS without stored copies, naming the variable, and writes nothing", async () => {
    h = await createHarness({ bootstrap: false });
    const start = bootstrapDefaults(h.deps, defaultSyncSpec(env({ REMOVE_CREATED_RENDITIONS: "true" })));
    await expect(start).rejects.toMatchObject({
      code: "CONFIG",
      message: expect.stringContaining(
        "REMOVE_CREATED_RENDITIONS needs stored copies of the renditions: set STORAGE_DIR",
      ),
    });
    expect(h.database.sqlite.prepare("select count(*) as n from syncs").get()).toEqual({ n: 0 });
  });
});
