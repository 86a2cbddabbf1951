/**
 * The child process of the download benchmark: mux-ingest's services with STORAGE_DIR set,
 * running the real ingest job for one asset and then the download job it enqueues, while
 * sampling its own memory, so the figures are the download's alone (the fake Mux serving the
 * bytes lives in the parent). Argument: a JSON object `{ env, assetId }`.
 */
import { rmSync } from "node:fs";
import { downloadJob } from "../src/jobs/download";
import { ingestJob, ingestKey } from "../src/jobs/ingest";
import { DEFAULT_IDS } from "../src/resources/bootstrap";
import { failStart, rssMiB, sampleMemory, serveParent } from "./lib/child";
import { openIngestNode } from "./lib/ingest-node";
import type { MemoryPeaks } from "./lib/result-types";

export type DownloadReport = MemoryPeaks & {
  state: string;
  renditionName: string | null;
  bytes: number;
  sha256: string | null;
  downloadSeconds: number;
  ingestSeconds: number;
};

type Args = { env: Record<string, string>; assetId: string };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as Args;
  const durations = new Map<string, number>();
  const node = await openIngestNode({
    env: args.env,
    muxRatePerSecond: 1_000_000,
    onOutcome: (type, _outcome, ms) => durations.set(type, ms),
  });
  serveParent({
    ready: { rssMiB: rssMiB() },
    handle: async (): Promise<DownloadReport> => {
      await node.deps.jobs.enqueue({
        type: ingestJob.type,
        key: ingestKey(DEFAULT_IDS.sync, args.assetId),
        payload: { syncId: DEFAULT_IDS.sync, assetId: args.assetId, via: "trigger" },
      });
      const memory = sampleMemory();
      await node.runner.drain({ timeoutMs: 400_000 });
      const peaks = memory.stop();
      const object = node.database.sqlite
        .prepare("SELECT state, rendition FROM objects WHERE asset_id = ?")
        .get(args.assetId) as { state: string; rendition: string | null } | undefined;
      const rendition = object?.rendition
        ? (JSON.parse(object.rendition) as {
            name?: string;
            filesize?: number;
            path?: string;
            sha256?: string;
          })
        : null;
      // The 1 GB file has served its purpose; do not leave it on disk.
      if (rendition?.path) rmSync(rendition.path, { force: true });
      return {
        state: object?.state ?? "missing",
        renditionName: rendition?.name ?? null,
        bytes: rendition?.filesize ?? 0,
        sha256: rendition?.sha256 ?? null,
        downloadSeconds: Math.round((durations.get(downloadJob.type) ?? Number.NaN) / 10) / 100,
        ingestSeconds: Math.round((durations.get(ingestJob.type) ?? Number.NaN) / 10) / 100,
        ...peaks,
      };
    },
    shutdown: node.close,
  });
}

main().catch(failStart);
