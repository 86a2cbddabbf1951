/**
 * One object's story for the console: what it is now and why in plain words, its rendition and
 * the download's fallbacks, the jobs working on it, the passes that touched it, and a timeline
 * of everything that happened to it: state changes, the webhooks Mux sent about its asset, and
 * its deliveries with every attempt's answer (the timeline, a page at a time: `object-timeline.ts`).
 */
import { and, desc, eq, inArray, lte } from "drizzle-orm";
import { buckets, connections, deliveries, objects, runs, syncs } from "../db/schema";
import { deliverKey } from "../jobs/deliver";
import { downloadJob } from "../jobs/download";
import { ingestJob, ingestKey } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import type { RenditionCandidate } from "../mux/renditions";
import type { JobRecord } from "../queue/types";
import type { Deps } from "../sync/deps";
import { type ReasonText, reasonText, stateSentence } from "./object-reasons";
import { readTimelinePage, type TimelineEntry } from "./object-timeline";
import { presentJob, presentObject, presentRun } from "./present";
import type { JobView, ObjectView, RunView } from "./views";

/**
 * A pass that touched the object: the one that last listed its asset, the one that queued its
 * latest ingest, and those whose checks made the changes on the timeline's page.
 */
export type PassView = RunView & { roles: Array<"listed" | "queued" | "changed"> };

/** Passes named by the page's changes that are shown (a page of changes by many passes is rare). */
const CHANGING_PASSES_SHOWN = 10;

export type ObjectStory = {
  object: ObjectView;
  bucket: { id: string; name: string; pipeline_url: string | null };
  sync: {
    id: string;
    status: string;
    suspension: string | null;
    status_reason: string | null;
    connection_id: string;
    /** The static renditions the sync asks Mux for when an asset has no MP4. */
    create_renditions: string[];
  } | null;
  /** The Mux environment its connection is pinned to. */
  environment: { id: string; name: string | null } | null;
  meaning: { state: string; reason: ReasonText | null };
  /** The ready MP4s the last download was to try, in order (the first is the choice). */
  download_candidates: RenditionCandidate[];
  jobs: JobView[];
  passes: PassView[];
  timeline: TimelineEntry[];
  /** The next (older) page of the timeline, or null at its start. */
  older_cursor: string | null;
  /** Which actions apply now (`create_mp4`: ask Mux for the sync's `create_renditions` now). */
  actions: { retry: boolean; redeliver: boolean; create_mp4: boolean };
};

export async function findObjectById(deps: Pick<Deps, "database">, objectId: string) {
  const row = await deps.database.db.select().from(objects).where(eq(objects.id, objectId)).get();
  if (!row) throw new AppError("NOT_FOUND", `Object ${objectId} does not exist`);
  return row;
}

export async function readObjectStory(
  deps: Pick<Deps, "database" | "jobs">,
  { objectId, cursor }: { objectId: string; cursor?: string },
): Promise<ObjectStory> {
  const row = await findObjectById(deps, objectId);
  const { db } = deps.database;
  const bucket = await db.select().from(buckets).where(eq(buckets.id, row.bucketId)).get();
  if (!bucket) throw new AppError("NOT_FOUND", `Object ${objectId} does not exist`);
  const sync = await db.select().from(syncs).where(eq(syncs.id, row.syncId)).get();
  const connection = sync
    ? await db.select().from(connections).where(eq(connections.id, sync.connectionId)).get()
    : undefined;
  const jobRows = await deps.jobs.findByKeys([
    ingestKey(row.syncId, row.assetId),
    deliverKey(row.id),
    downloadJob.key({ objectId: row.id, version: 0, candidates: [] }),
  ]);
  const { timeline, older_cursor } = await readTimelinePage(deps, row, cursor);
  const newest = await db
    .select({ status: deliveries.status })
    .from(deliveries)
    .where(eq(deliveries.objectId, row.id))
    .orderBy(desc(deliveries.objectVersion))
    .limit(1)
    .get();
  return {
    object: presentObject(row),
    bucket: { id: bucket.id, name: bucket.name, pipeline_url: bucket.pipelineUrl },
    sync: sync
      ? {
          id: sync.id,
          status: sync.status,
          suspension: sync.suspension,
          status_reason: sync.statusReason,
          connection_id: sync.connectionId,
          create_renditions: sync.createRenditions,
        }
      : null,
    environment: connection?.environmentId
      ? { id: connection.environmentId, name: connection.environmentName }
      : null,
    meaning: { state: stateSentence(row.state), reason: reasonText(row.reason) },
    download_candidates: downloadCandidates(jobRows),
    jobs: jobRows.map(presentJob),
    passes: await passesOf(deps, row, jobRows, timeline),
    timeline,
    older_cursor,
    actions: {
      retry: row.state === "failed",
      redeliver: row.state !== "failed" && (newest?.status === "delivered" || newest?.status === "failed"),
      create_mp4: mayCreateMp4(row, sync),
    },
  };
}

/** The download job's candidates (parsed: a payload read back is never trusted as is). */
function downloadCandidates(jobs: readonly JobRecord[]): RenditionCandidate[] {
  const job = jobs.find((j) => j.type === downloadJob.type);
  if (!job) return [];
  const parsed = downloadJob.payload.safeParse(job.payload);
  return parsed.success ? parsed.data.candidates : [];
}

/** Whether "create the MP4 now" applies: no MP4 came, and the sync may ask Mux for one. */
export function mayCreateMp4(
  row: Pick<typeof objects.$inferSelect, "state" | "reason">,
  sync: Pick<typeof syncs.$inferSelect, "createRenditions"> | undefined,
): boolean {
  return (
    row.state === "skipped" &&
    row.reason === "no_static_renditions" &&
    (sync?.createRenditions.length ?? 0) > 0
  );
}

/**
 * The pass that last listed the asset (its listing time falls in the run), the one that queued
 * its ingest, and the ones the page's changes name.
 */
async function passesOf(
  deps: Pick<Deps, "database">,
  row: typeof objects.$inferSelect,
  jobs: readonly JobRecord[],
  timeline: readonly TimelineEntry[],
): Promise<PassView[]> {
  const { db } = deps.database;
  const passes: PassView[] = [];
  if (row.lastSeenAt !== null) {
    const listed = await db
      .select()
      .from(runs)
      .where(and(eq(runs.syncId, row.syncId), lte(runs.startedAt, row.lastSeenAt)))
      .orderBy(desc(runs.startedAt))
      .limit(1)
      .get();
    if (listed && (listed.finishedAt === null || listed.finishedAt >= row.lastSeenAt))
      passes.push({ ...presentRun(listed), roles: ["listed"] });
  }
  const ingest = jobs.find((j) => j.type === ingestJob.type);
  const parsed = ingest ? ingestJob.payload.safeParse(ingest.payload) : null;
  const runId = parsed?.success ? parsed.data.runId : undefined;
  const same = passes.find((p) => p.id === runId);
  if (same) same.roles.push("queued");
  else if (runId) {
    const queued = await db.select().from(runs).where(eq(runs.id, runId)).get();
    if (queued) passes.push({ ...presentRun(queued), roles: ["queued"] });
  }
  const changing = [
    ...new Set(timeline.flatMap((e) => (e.kind === "state" && e.run_id ? [e.run_id] : []))),
  ].slice(0, CHANGING_PASSES_SHOWN);
  for (const id of changing) passes.find((p) => p.id === id)?.roles.push("changed");
  const unseen = changing.filter((id) => !passes.some((p) => p.id === id));
  if (unseen.length > 0) {
    const rows = await db.select().from(runs).where(inArray(runs.id, unseen)).all();
    rows.sort((a, b) => b.startedAt - a.startedAt);
    for (const run of rows) passes.push({ ...presentRun(run), roles: ["changed"] });
  }
  return passes;
}
