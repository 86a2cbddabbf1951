/**
 * The one-shot commands as an operator runs them: `node bin/mux-ingest.js …` as real processes
 * against the fake Mux on a real port and a SQLite file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as runProcess } from "../../scripts/packed-install";
import { type RunningFakeMux, startFakeMux } from "../../src/fake-mux/index";

const BIN = resolve(import.meta.dirname, "../../bin/mux-ingest.js");
const TOKEN_ID = "5d0c2b1a-8e7f-4a6b-9c5d-4e3f2a1b0c9d";
const TOKEN_SECRET = "cli-e2e-token-secret-7e57";
const PIPELINE_SECRET = "whsec_Y2xpLWUyZS1waXBlbGluZS1zZWNyZXQtMDEyMzQ1";

let fake: RunningFakeMux;
let dir: string;
let pipeline: Server;
let pipelineUrl: string;
let pipelineStatus = 200;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mux-ingest-cli-"));
  fake = await startFakeMux({
    tokenId: TOKEN_ID,
    tokenSecret: TOKEN_SECRET,
    webhookUrl: null,
    rateLimit: null,
  });
  for (let i = 0; i < 3; i++) fake.fake.createAsset({ status: "ready", mp4Support: "standard" });
  fake.fake.createAsset({ status: "ready", playbackPolicies: [] });
  pipeline = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(pipelineStatus).end());
  });
  await new Promise<void>((done) => pipeline.listen(0, "127.0.0.1", done));
  pipelineUrl = `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await fake?.close();
  await new Promise<void>((done) => (pipeline ? pipeline.close(() => done()) : done()));
  rmSync(dir, { recursive: true, force: true });
});

function env(db: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    MUX_TOKEN_ID: TOKEN_ID,
    MUX_TOKEN_SECRET: TOKEN_SECRET,
    MUX_BASE_URL: fake.url,
    MUX_STREAM_BASE_URL: fake.streamBaseUrl,
    DATABASE_PATH: join(dir, db),
    ENCRYPTION_KEY: "cli-e2e-encryption-key-0123456789abcdef",
    ...extra,
  };
}

/** The command as an operator runs it, its output collected (`runProcess` waits for both streams to end). */
function cli(args: string[], environment: Record<string, string>) {
  return runProcess(process.execPath, [BIN, ...args], process.cwd(), environment);
}

describe("mux-ingest sync --once, status, connections test", () => {
  it("sync --once runs a pass to the end, prints its counters and exits 0", async () => {
    const e = env("ok.db", { PIPELINE_URL: pipelineUrl, PIPELINE_SECRET });
    const run = await cli(["sync", "--once", "--json"], e);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(true);
    expect(result.syncs).toHaveLength(1);
    expect(result.syncs[0]).toMatchObject({
      sync_id: "syn_default",
      run: { kind: "initial", status: "succeeded", assets_seen: 4, enqueued: 4 },
      objects: { delivered: 3, skipped: 1 },
      failed: [],
    });
    expect(run.stdout).not.toContain(TOKEN_SECRET);
    expect(run.stderr).not.toContain(TOKEN_SECRET);

    const status = await cli(["status", "--json"], e);
    expect(status.code, status.stderr).toBe(0);
    const overview = JSON.parse(status.stdout);
    expect(overview.syncs[0]).toMatchObject({
      id: "syn_default",
      last_run: { id: result.syncs[0].run.id, status: "succeeded" },
    });
    expect(overview.buckets[0]).toMatchObject({
      id: "bkt_default",
      total: 4,
      by_state: { delivered: 3, skipped: 1 },
    });
    expect(overview.buckets[0].by_reason).toContainEqual({
      state: "skipped",
      reason: "no_playback_id",
      count: 1,
    });
    expect(overview.connections[0].access_token_secret).toBe("****7e57");
    expect(status.stdout).not.toContain(TOKEN_SECRET);

    const human = await cli(["status"], e);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("syn_default");
    expect(human.stdout).toMatch(/skipped\s+no_playback_id\s+1/);

    const plain = await cli(["sync", "--once"], e);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/sync syn_default: \w+ pass run_\w+ succeeded/);
    expect(plain.stdout).toContain("repaired 0");
  });

  it("sync --once exits 1 when objects end failed, naming them", async () => {
    pipelineStatus = 500;
    try {
      const run = await cli(
        ["sync", "--once"],
        env("failing.db", { PIPELINE_URL: pipelineUrl, PIPELINE_SECRET, JOB_MAX_ATTEMPTS: "1" }),
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/failed \w+: delivery_failed/);
    } finally {
      pipelineStatus = 200;
    }
  });

  it("connections test exits 0 when Mux accepts the credentials and 1 with the reason when not", async () => {
    const ok = await cli(["connections", "test"], env("conn.db"));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('con_default: Mux accepted the credentials: environment "Fake Development"');

    const refused = await cli(
      ["connections", "test", "con_default"],
      env("conn.db", { MUX_TOKEN_SECRET: "not-the-right-secret" }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("401");
    expect(refused.stderr).toContain("check the token ID and secret");
    expect(refused.stderr).not.toContain("not-the-right-secret");

    const unknown = await cli(["connections", "test", "con_nope"], env("conn.db"));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no connection con_nope");
  });

  it("has --help for each command and readable usage errors (exit 2)", async () => {
    for (const command of ["sync", "connections", "status"]) {
      const help = await cli([command, "--help"], env("help.db"));
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: mux-ingest ${command}`);
    }
    const noOnce = await cli(["sync"], env("help.db"));
    expect(noOnce.code).toBe(2);
    expect(noOnce.stderr).toContain("only --once is supported");
    const badFlag = await cli(["status", "--colour"], env("help.db"));
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--colour");
    const top = await cli(["--help"], env("help.db"));
    expect(top.stdout).toMatch(/sync\s+Run one reconciliation pass/);
    expect(top.stdout).toMatch(/connections\s+Test a connection/);
    expect(top.stdout).toMatch(/status\s+Syncs, runs and object counts/);
  });
});
