/**
 * `mux-ingest demo`: the main job, end to end, on one machine and with no configuration. A fake
 * Mux with a seeded library (the realistic mix), mux-ingest itself on a temporary database, and
 * a local pipeline that verifies every delivery's signature. It runs the initial sync and the
 * live webhook flow (assets keep appearing while it runs), asks Mux for an MP4 where an asset has
 * none (`create_renditions`), shows progress, and exits 0 only when every eligible asset reached
 * the pipeline and every other one carries its reason.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "../config/env";
import { type FakeAsset, startFakeMux } from "../fake-mux/index";
import { startNode } from "../node/start-node";
import { type Expectation, expectationFor } from "./expectations";
import { startPipelineReceiver } from "./pipeline-receiver";
import { captionedCounts, type DemoCounts, renderProgress, renderSummary } from "./report";

/** The share of the seeded library with captions or subtitles. */
const CAPTIONED_SHARE = 0.4;

export type DemoOptions = {
  assets: number;
  seed: number;
  /** Assets created while the demo runs, reaching mux-ingest through webhooks. */
  live: number;
  keep: boolean;
  download: boolean;
  timeoutMs: number;
  write: (text: string) => void;
  isTTY: boolean;
  /** Resolves when a --keep session should end (Ctrl-C). */
  untilStopped?: () => Promise<void>;
};

export async function runDemo(options: DemoOptions): Promise<number> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "mux-ingest-demo-"));
  const logPath = join(dir, "mux-ingest.log");
  const pipelineSecret = `whsec_${randomBytes(24).toString("base64")}`;
  const adminToken = randomBytes(18).toString("base64url");
  const tokenId = randomUUID();
  const tokenSecret = randomBytes(18).toString("base64url");
  const webhookSecret = randomBytes(18).toString("base64url");

  const receiver = await startPipelineReceiver(pipelineSecret);
  const mux = await startFakeMux({
    seed: options.seed,
    tokenId,
    tokenSecret,
    webhookSecret,
    webhookUrl: null,
  });
  // Some assets have captions or subtitles, as many libraries do: the pipeline gets their text.
  const history = mux.fake.generateLibrary(options.assets, options.seed, { captioned: CAPTIONED_SHARE });

  const config = parseEnv({
    MUX_TOKEN_ID: tokenId,
    MUX_TOKEN_SECRET: tokenSecret,
    MUX_WEBHOOK_SECRET: webhookSecret,
    MUX_SIGNING_KEY: mux.fake.signingKey.id,
    MUX_PRIVATE_KEY: mux.fake.signingKey.privateKeyBase64,
    MUX_BASE_URL: mux.url,
    MUX_STREAM_BASE_URL: mux.streamBaseUrl,
    MUX_IMAGE_BASE_URL: mux.imageBaseUrl,
    DATABASE_PATH: join(dir, "mux-ingest.db"),
    HOST: "127.0.0.1",
    PORT: options.keep ? "8787" : "0",
    PIPELINE_URL: receiver.url,
    PIPELINE_SECRET: pipelineSecret,
    ADMIN_TOKEN: adminToken,
    // The shortest interval, and a short grace for assets without MP4s, so the demo ends in seconds.
    POLLING_INTERVAL_SECONDS: "10",
    RENDITION_GRACE_SECONDS: "10",
    // Assets without MP4s get one made on demand (the fake's token may write).
    CREATE_RENDITIONS: "highest",
    LOG_LEVEL: "info",
    ...(options.download ? { STORAGE_DIR: join(dir, "storage") } : {}),
  });
  const node = await startNode(config, {
    logWrite: (line) => appendFileSync(logPath, `${line}\n`),
    pollerTickMs: 250,
  });
  mux.fake.setWebhookUrl(`${node.url}/webhooks/mux`);

  const live: FakeAsset[] = [];
  const liveSpecs = liveAssetSpecs();
  const liveTimer = setInterval(() => {
    const spec = liveSpecs[live.length % liveSpecs.length];
    if (live.length < options.live) live.push(mux.fake.createAsset(spec));
  }, 400);

  const counts = (): DemoCounts => {
    const rows = node.database.sqlite
      .prepare("select state, reason, count(*) as n from objects group by state, reason")
      .all() as Array<{ state: string; reason: string | null; n: number }>;
    const runs = node.database.sqlite
      .prepare(
        "select count(*) as n, coalesce(sum(repaired), 0) as repaired from runs where status = 'succeeded'",
      )
      .get() as { n: number; repaired: number };
    const stats = mux.fake.stats().webhooks;
    const made = node.database.sqlite
      .prepare("select count(*) as n from rendition_requests where status = 'created'")
      .get() as { n: number };
    return {
      library: history.length + live.length,
      byState: rows,
      deliveries: receiver.deliveries.size,
      forged: receiver.forged,
      duplicates: receiver.duplicates,
      webhooksSent: stats.sent,
      webhooksDropped: stats.dropped,
      createdOnDemand: made.n,
      passes: runs.n,
      repaired: runs.repaired,
      captioned: captionedCounts(receiver.deliveries),
      elapsedMs: Date.now() - started,
    };
  };

  let outcome: { done: boolean; mismatches: string[] } = { done: false, mismatches: [] };
  let lastPlain = 0;
  while (Date.now() - started < options.timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const assets = mux.fake.listAssets();
    outcome = compare(assets, live.length >= options.live, node.database.sqlite, receiver.deliveries);
    const line = renderProgress(counts());
    if (options.isTTY) options.write(`\r${line}`);
    else if (Date.now() - lastPlain > 2_000 || outcome.done) {
      options.write(`${line}\n`);
      lastPlain = Date.now();
    }
    if (outcome.done) break;
  }
  clearInterval(liveTimer);
  if (options.isTTY) options.write("\n");

  const finalCounts = counts();
  options.write(
    renderSummary(finalCounts, {
      seed: options.seed,
      live: live.length,
      ok: outcome.done,
      mismatches: outcome.mismatches,
      database: config.databasePath,
      log: logPath,
      dashboard: options.keep ? `${node.url}/` : null,
      adminToken: options.keep ? adminToken : null,
    }),
  );

  if (options.keep && options.untilStopped) await options.untilStopped();
  await node.close();
  await mux.close();
  await receiver.close();
  if (!options.keep) rmSync(dir, { recursive: true, force: true });
  return outcome.done && finalCounts.forged === 0 ? 0 : 1;
}

/** Compares every asset's expected outcome with what mux-ingest and the pipeline hold. */
function compare(
  assets: FakeAsset[],
  liveComplete: boolean,
  db: { prepare(sql: string): { all(): unknown[] } },
  deliveries: Map<string, { type: string; data: { source: { asset_id: string } } }>,
): { done: boolean; mismatches: string[] } {
  const objects = new Map(
    (
      db.prepare("select asset_id, state, reason from objects").all() as Array<{
        asset_id: string;
        state: string;
        reason: string | null;
      }>
    ).map((o) => [o.asset_id, o]),
  );
  const delivered = new Set(
    [...deliveries.values()].filter((d) => d.type === "object.ready").map((d) => d.data.source.asset_id),
  );
  const mismatches: string[] = [];
  for (const asset of assets) {
    if (!settledInMux(asset)) {
      mismatches.push(`${asset.id}: still processing in Mux`);
      continue;
    }
    const expected: Expectation = expectationFor(asset);
    const object = objects.get(asset.id);
    if (expected.outcome === "delivered") {
      if (object?.state !== "delivered" || !delivered.has(asset.id)) {
        mismatches.push(`${asset.id}: expected delivered, is ${object?.state ?? "unknown"}`);
      }
    } else if (object?.state !== "skipped" || object.reason !== expected.reason) {
      mismatches.push(
        `${asset.id}: expected skipped (${expected.reason}), is ${object?.state ?? "unknown"} (${object?.reason ?? "-"})`,
      );
    }
  }
  return { done: liveComplete && mismatches.length === 0, mismatches };
}

function settledInMux(asset: FakeAsset): boolean {
  if (asset.status === "preparing") return false;
  if (asset.status === "errored") return true;
  const renditions = asset.static_renditions;
  if (!renditions) return true;
  if (renditions.status === "preparing") return false;
  return !(renditions.files ?? []).some((f) => f.status === "preparing");
}

/** A little of everything for the live part of the run. */
function liveAssetSpecs() {
  return [
    {
      mp4Support: "standard" as const,
      meta: { title: "Live: product launch" },
      textTracks: [{ textSource: "generated_vod" as const }],
    },
    {
      staticRenditions: ["highest" as const],
      playbackPolicies: ["signed" as const],
      meta: { title: "Live: signed keynote" },
    },
    { mp4Support: "capped-1080p" as const, meta: { title: "Live: capped" } },
    { mp4Support: "none" as const, meta: { title: "Live: no MP4" } },
    { outcome: "errored" as const, meta: { title: "Live: broken upload" } },
    { staticRenditions: ["720p" as const, "270p" as const], meta: { title: "Live: advanced renditions" } },
  ];
}
