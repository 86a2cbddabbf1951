/**
 * What Mux sends never decides where files go, and files never outlive their rows: a fake Mux
 * answering with hostile asset ids (webhooks and listings) or crafted rendition file names leaves
 * every other bucket's and asset's files as they were; deleting a bucket removes its folder; and
 * a download still streaming when its bucket is deleted leaves no file and no temporary file.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { renditionBytes } from "../../src/fake-mux/index";
import { type AdminHarness, createAdminHarness } from "../helpers/admin-api";
import { network } from "../helpers/no-network";

let h: AdminHarness | undefined;
let storageDir: string | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
  if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  storageDir = undefined;
});

async function harness() {
  storageDir = mkdtempSync(join(tmpdir(), "mux-ingest-boundaries-"));
  h = await createAdminHarness({ STORAGE_DIR: storageDir });
  return { h, root: storageDir };
}

/** Every file under `dir`, relative, with the SHA-256 of its bytes. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

function plant(root: string, path: string): void {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), `planted ${path}`);
}

async function settle(harness: AdminHarness) {
  await harness.settleAll();
  await harness.fake.settle();
  await harness.settleAll();
}

async function pass(harness: AdminHarness) {
  expect((await harness.api("POST", "/v1/buckets/bkt_default/syncs/syn_default/trigger")).status).toBe(202);
  await harness.runner.drain();
  harness.clock.advance(1_000);
}

/** Asset ids a hostile or intercepted Mux could send; none is a Mux id. */
const HOSTILE_ASSET_IDS = [
  "x/../..",
  "..",
  "../bkt_other",
  "a\\..\\..",
  "%2e%2e",
  "x\u0000y",
  "\u2024\u2024",
  "\uff0e\uff0e",
  "x".repeat(300),
  "",
];

describe("hostile ids and names from Mux", () => {
  it("never uses an asset id that is not a Mux id (webhooks, listing, deletion, API), and every other file stays", async () => {
    const { h, root } = await harness();
    const legit = h.fake.createAsset({ mp4Support: "standard" });
    await settle(h);
    expect(h.objectOf(legit.id)).toMatchObject({ state: "ready" });
    plant(root, "bkt_other/asset1/low.mp4");
    plant(root, "keep.txt");
    const before = files(root);
    expect(Object.keys(before)).toContain(join("bkt_default", legit.id, "low.mp4"));

    for (const id of HOSTILE_ASSET_IDS) h.fake.createAsset({ id, mp4Support: "standard" });
    await settle(h);
    await pass(h);
    for (const id of HOSTILE_ASSET_IDS) h.fake.deleteAsset(id);
    await settle(h);
    await pass(h);
    for (const id of HOSTILE_ASSET_IDS.filter((id) => id !== "")) {
      const res = await h.api("GET", `/v1/buckets/bkt_default/objects/${encodeURIComponent(id)}`);
      expect([400, 404]).toContain(res.status);
      const retry = await h.api("POST", `/v1/buckets/bkt_default/objects/${encodeURIComponent(id)}/retry`);
      expect([400, 404]).toContain(retry.status);
    }

    expect(files(root)).toEqual(before);
    const objects = h.database.sqlite.prepare("SELECT asset_id FROM objects").all() as { asset_id: string }[];
    expect(objects.map((o) => o.asset_id)).toEqual([legit.id]);
    const jobs = h.database.sqlite.prepare("SELECT idempotency_key FROM jobs").all() as {
      idempotency_key: string;
    }[];
    for (const job of jobs) expect(job.idempotency_key).toMatch(/^[A-Za-z0-9_:-]+$/);
    const outcomes = h.database.sqlite
      .prepare("SELECT type, outcome FROM webhook_events WHERE outcome = 'no_asset_id'")
      .all() as { type: string }[];
    expect(outcomes.length).toBeGreaterThanOrEqual(HOSTILE_ASSET_IDS.length);
    expect(h.logs.some((line) => line.includes("not valid assets; they are skipped"))).toBe(true);
  });

  it("never downloads a rendition whose file name is not Mux's shape, and writes nothing outside the asset's folder", async () => {
    const { h, root } = await harness();
    const legit = h.fake.createAsset({ mp4Support: "standard" });
    await settle(h);
    plant(root, "bkt_other/asset1/low.mp4");
    const before = files(root);
    const crafted = h.fake.createAsset({
      mp4Support: "standard",
      width: 1920,
      height: 1080,
      fileNames: {
        "low.mp4": `../${legit.id}/low.mp4`,
        "medium.mp4": "../../bkt_other/asset1/low.mp4",
      },
    });
    await settle(h);
    await pass(h);

    const object = h.objectOf(crafted.id);
    expect(object).toMatchObject({ state: "ready" });
    expect(JSON.parse(String(object?.rendition)).name).toBe("high.mp4");
    const after = files(root);
    for (const [path, hash] of Object.entries(before)) expect(after[path]).toBe(hash);
    expect(Object.keys(after).filter((path) => !(path in before))).toEqual([
      join("bkt_default", crafted.id, "high.mp4"),
    ]);
    const streamed = Object.keys(h.fake.stats().calls).filter((call) => call.includes("stream"));
    expect(streamed.length).toBeGreaterThan(0);
  });
});

describe("deleting a bucket", () => {
  it("removes the bucket's stored files and nothing else", async () => {
    const { h, root } = await harness();
    const asset = h.fake.createAsset({ mp4Support: "standard" });
    await settle(h);
    plant(root, "bkt_other/asset1/low.mp4");
    plant(root, "bkt_default0/asset1/low.mp4");
    expect(Object.keys(files(root))).toContain(join("bkt_default", asset.id, "low.mp4"));

    expect((await h.api("DELETE", "/v1/buckets/bkt_default?force=true")).ok).toBe(true);
    expect(Object.keys(files(root)).sort()).toEqual(
      [join("bkt_default0", "asset1", "low.mp4"), join("bkt_other", "asset1", "low.mp4")].sort(),
    );
    expect(readdirSync(root).sort()).toEqual(["bkt_default0", "bkt_other"]);
  });

  it("leaves no file and no temporary file when a download is streaming at that moment", async () => {
    const { h, root } = await harness();
    // The first candidate's stream sends a first chunk, then waits for the test.
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => {
      streaming = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    network.use(
      http.get("https://stream.mux.com/:playbackId/low.mp4", ({ params }) => {
        const size = Number(heldSize);
        const bytes = renditionBytes(String(params.playbackId), "low.mp4", 0, size);
        const half = Math.floor(size / 2);
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(bytes.slice(0, half));
            streaming();
            await released;
            controller.enqueue(bytes.slice(half));
            controller.close();
          },
        });
        return new HttpResponse(body, {
          headers: { "content-type": "video/mp4", "content-length": String(size) },
        });
      }),
    );
    const asset = h.fake.createAsset({ mp4Support: "standard", width: 1920, height: 1080, status: "ready" });
    const low = asset.static_renditions?.files?.find((file) => file.name === "low.mp4");
    const heldSize = low?.filesize;
    expect(Number(heldSize)).toBeGreaterThan(0);
    await h.fake.fireEvent(asset.id, "video.asset.ready");
    await h.fake.webhooks.flush();

    const draining = h.runner.drain({ timeoutMs: 20_000 });
    await started;
    const running = h.database.sqlite.prepare("SELECT status FROM jobs WHERE type = 'download'").get();
    expect(running).toEqual({ status: "running" });
    expect((await h.api("DELETE", "/v1/buckets/bkt_default?force=true")).ok).toBe(true);
    release();
    const result = await draining;
    expect(result.timedOut).toBe(false);

    expect(h.database.sqlite.prepare("SELECT COUNT(*) AS n FROM objects").get()).toEqual({ n: 0 });
    expect(files(root)).toEqual({});
    expect(readdirSync(root)).toEqual([]);
  });
});
