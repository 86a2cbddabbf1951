/**
 * One object's story for the console: what it is now and why in plain words, its rendition and
 * the download's fallbacks, the jobs working on it, the passes that touched it, and a timeline
 * of everything that happened to it: state changes, the webhooks Mux sent about its asset, and
 * its deliveries with their attempts and last answer.
 *
 * The timeline is paged, newest first: each page merges the newest entries of the three sources
 * older than the cursor (one index range each: `object_history_object_idx`, the asset's
 * `webhook_events_asset_idx` in rowid order, i.e. arrival order, and
 * `deliveries_object_version_idx`), so a page costs the same however long the history is.
 */
import { and, desc, eq, lt, lte, sql } from "drizzle-orm";
import {
  buckets,
  connections,
  deliveries,
  objectHistory,
  objects,
  runs,
  syncs,
  webhookEvents,
} from "../db/schema";
import { deliverKey } from "../jobs/deliver";
import { downloadJob } from "../jobs/download";
import { ingestJob, ingestKey } from "../jobs/ingest";
import { AppError } from "../lib/errors";
import type { RenditionCandidate } from "../mux/renditions";
import type { JobRecord } from "../queue/types";
import type { Deps } from "../sync/deps";
import { type ReasonText, reasonText, stateSentence } from "./object-reasons";
import { decodePageCursor, encodePageCursor } from "./page-cursor";
import { isoTime, presentJob, presentObject, presentRun } from "./present";
import type { JobView, ObjectView, RunView } from "./views";

/** Timeline entries per page. */
export const TIMELINE_PAGE = 50;

export type TimelineEntry =
  | { kind: "state"; at: string | null; state: string; reason: string | null; message: string | null }
  | {
      kind: "webhook";
      at: string | null;
      event_id: string;
      type: string;
      outcome: string;
      connection_id: string;
    }
  | {
      kind: "delivery";
      at: string | null;
      id: string;
      type: string;
      reason: string | null;
      version: number;
      status: string;
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      delivered_at: string | null;
    };

/** A pass that touched the object: the one that last listed its asset, the one that queued its latest ingest. */
export type PassView = RunView & { roles: Array<"listed" | "queued"> };

export type ObjectStory = {
  object: ObjectView;
  bucket: { id: string; name: string; pipeline_url: string | null };
  sync: {
    id: string;
    status: string;
    suspension: string | null;
    status_reason: string | null;
    connection_id: string;
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
  /** Which actions apply now. */
  actions: { retry: boolean; redeliver: boolean };
};

/** Where a timeline page stops in each source: exclusive bounds, newest first. */
type TimelinePosition = { history: number; webhook: number; delivery: number };
const NEWEST: TimelinePosition = {
  history: Number.MAX_SAFE_INTEGER,
  webhook: Number.MAX_SAFE_INTEGER,
  delivery: Number.MAX_SAFE_INTEGER,
};

/** A webhook row's rowid: its arrival order, and the order of `webhook_events_asset_idx` within an asset. */
const webhookRowid = sql<number>`${webhookEvents}.rowid`;

type Sourced = { at: number; source: keyof TimelinePosition; key: number; entry: TimelineEntry };

export async function findObjectById(deps: Pick<Deps, "database">, objectId: string) {
  const row = await deps.database.db.select().from(objects).where(eq(objects.id, objectId)).get();
  if (!row) throw new AppError("NOT_FOUND", `Object ${objectId} does not exist`);
  return row;
}

export async function readObjectStory(
  deps: Pick<Deps, "database" | "jobs">,
  { objectId, cursor }: { objectId: string; cursor?: string },
): Promise<ObjectStory> {
  const position = cursor ? decodeTimelineCursor(cursor) : NEWEST;
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
  const { timeline, older } = await timelinePage(deps, row, position);
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
        }
      : null,
    environment: connection?.environmentId
      ? { id: connection.environmentId, name: connection.environmentName }
      : null,
    meaning: { state: stateSentence(row.state), reason: reasonText(row.reason) },
    download_candidates: downloadCandidates(jobRows),
    jobs: jobRows.map(presentJob),
    passes: await passesOf(deps, row, jobRows),
    timeline,
    older_cursor: older ? encodePageCursor(["timeline", older.history, older.webhook, older.delivery]) : null,
    actions: {
      retry: row.state === "failed",
      redeliver: row.state !== "failed" && (newest?.status === "delivered" || newest?.status === "failed"),
    },
  };
}

function decodeTimelineCursor(cursor: string): TimelinePosition {
  const [history, webhook, delivery] = decodePageCursor(cursor, "timeline", ["number", "number", "number"]);
  return { history, webhook, delivery };
}

/**
 * The newest `TIMELINE_PAGE` entries older than `position`, merged by time (each source's own
 * order kept: a merge of heads, so what a page takes from a source is always its newest run),
 * and where the next page starts, or null when nothing older is left.
 */
async function timelinePage(
  deps: Pick<Deps, "database">,
  row: typeof objects.$inferSelect,
  position: TimelinePosition,
): Promise<{ timeline: TimelineEntry[]; older: TimelinePosition | null }> {
  const { db } = deps.database;
  const take = TIMELINE_PAGE + 1;
  const history = await db
    .select()
    .from(objectHistory)
    .where(and(eq(objectHistory.objectId, row.id), lt(objectHistory.id, position.history)))
    .orderBy(desc(objectHistory.id))
    .limit(take)
    .all();
  const webhooks = await db
    .select({
      rowid: webhookRowid,
      id: webhookEvents.id,
      type: webhookEvents.type,
      outcome: webhookEvents.outcome,
      connectionId: webhookEvents.connectionId,
      receivedAt: webhookEvents.receivedAt,
    })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.assetId, row.assetId), lt(webhookRowid, position.webhook)))
    .orderBy(desc(webhookRowid))
    .limit(take)
    .all();
  const sent = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.objectId, row.id), lt(deliveries.objectVersion, position.delivery)))
    .orderBy(desc(deliveries.objectVersion))
    .limit(take)
    .all();
  const sources: Sourced[][] = [
    history.map((h) => ({
      at: h.at,
      source: "history" as const,
      key: h.id,
      entry: {
        kind: "state" as const,
        at: isoTime(h.at),
        state: h.state,
        reason: h.reason,
        message: h.message,
      },
    })),
    webhooks.map((w) => ({
      at: w.receivedAt,
      source: "webhook" as const,
      key: w.rowid,
      entry: {
        kind: "webhook" as const,
        at: isoTime(w.receivedAt),
        event_id: w.id,
        type: w.type,
        outcome: w.outcome,
        connection_id: w.connectionId,
      },
    })),
    sent.map((d) => ({
      at: d.createdAt,
      source: "delivery" as const,
      key: d.objectVersion,
      entry: {
        kind: "delivery" as const,
        at: isoTime(d.createdAt),
        id: d.id,
        type: d.type,
        reason: d.reason,
        version: d.objectVersion,
        status: d.status,
        attempts: d.attempts,
        last_status: d.lastStatus,
        last_error: d.lastError,
        delivered_at: isoTime(d.deliveredAt),
      },
    })),
  ];
  const taken: Sourced[] = [];
  const heads = sources.map(() => 0);
  while (taken.length < TIMELINE_PAGE) {
    let best = -1;
    sources.forEach((list, i) => {
      const head = list[heads[i] ?? 0];
      const current = best >= 0 ? sources[best]?.[heads[best] ?? 0] : undefined;
      if (head && (!current || head.at > current.at)) best = i;
    });
    if (best < 0) break;
    const entry = sources[best]?.[heads[best] ?? 0];
    if (!entry) break;
    taken.push(entry);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  const left = sources.some((list, i) => list.length > (heads[i] ?? 0));
  const next = { ...position };
  for (const entry of taken) next[entry.source] = entry.key;
  return { timeline: taken.map((t) => t.entry), older: left ? next : null };
}

/** The download job's candidates (parsed: a payload read back is never trusted as is). */
function downloadCandidates(jobs: readonly JobRecord[]): RenditionCandidate[] {
  const job = jobs.find((j) => j.type === downloadJob.type);
  if (!job) return [];
  const parsed = downloadJob.payload.safeParse(job.payload);
  return parsed.success ? parsed.data.candidates : [];
}

/** The pass that last listed the asset (its listing time falls in the run) and the one that queued its ingest. */
async function passesOf(
  deps: Pick<Deps, "database">,
  row: typeof objects.$inferSelect,
  jobs: readonly JobRecord[],
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
  return passes;
}
