/**
 * Dead letters: the jobs that spent every attempt, with their last error and the object, sync
 * and bucket they concern; replaying them so the work really runs again, and purging them.
 *
 * What a replay does depends on what the job was:
 * - an ingest job is revived with fresh attempts (it re-reads the asset from Mux);
 * - a delivery or download of an object that failed for it is replaced by the object's retry
 *   (a fresh read, a new version, a new download and delivery), the dead job removed in the same
 *   write: reviving it would send a version its failure moved past;
 * - a delivery or download of an object that did not fail for it (a departure, `object.deleted`,
 *   whose object stayed `deleted`) is revived: it sends the object's newest unsent delivery;
 * - a reconciliation pass is replaced by a new pass of its sync (its run is already failed);
 * - a create-rendition job is revived with its given-up request asked for again (refused once
 *   that request was answered since); a remove-renditions job is revived.
 *
 * Listing walks the dead jobs newest first (`src/queue/dead-letters.ts`, one index range); the
 * filters the index cannot apply (bucket, sync, error text) are applied to at most
 * `EXAMINED_PER_CALL` dead jobs per call, so a page can come back short with `has_more` and a
 * cursor, and a bulk replay is bounded the same way.
 */
import { and, eq, inArray } from "drizzle-orm";
import { objects, syncs } from "../db/schema";
import { createRenditionShape, reopenGivenUpRequest } from "../jobs/create-rendition-request";
import { deliverJob } from "../jobs/deliver";
import { downloadJob } from "../jobs/download";
import { ingestJob } from "../jobs/ingest";
import { reconcileJob } from "../jobs/reconcile";
import { removeRenditionsJob } from "../jobs/remove-renditions";
import { AppError } from "../lib/errors";
import {
  type DeadPosition,
  getDeadJob,
  listDeadJobs,
  purgeDeadStatement,
  reviveDeadStatement,
} from "../queue/dead-letters";
import type { JobRecord } from "../queue/types";
import type { Deps } from "../sync/deps";
import { planObjectRetry } from "./object-retry";
import { decodePageCursor, encodePageCursor } from "./page-cursor";
import { triggerPass } from "./passes";
import { isoTime, presentJob } from "./present";
import type {
  BulkReplayResult,
  DeadLetterFilter,
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterView,
  ReplayAction,
  ReplayResult,
} from "./views";

/** Dead jobs looked at per call, at most, when a filter the index cannot apply is given. */
export const EXAMINED_PER_CALL = 500;
/** Dead letters replayed per bulk call, at most. */
export const MAX_BULK_REPLAY = 100;
/** Ids per `IN (…)` (D1 binds at most 100 parameters per statement). */
const IDS_PER_STATEMENT = 50;

type ObjectRow = typeof objects.$inferSelect;

type Context = {
  syncs: Map<string, { bucketId: string; status: string }>;
  /** Each job's object, by job id. */
  objects: Map<string, ObjectRow>;
};

const EMPTY_CONTEXT: Context = { syncs: new Map(), objects: new Map() };

export async function listDeadLetters(
  deps: Pick<Deps, "database">,
  query: DeadLetterQuery,
): Promise<DeadLetterPage> {
  const { matches, stoppedAt, context } = await walk(deps, query, query.limit);
  return {
    data: matches.map((job) => present(job, context)),
    next_cursor: stoppedAt ? encodeDeadCursor(stoppedAt) : null,
    has_more: stoppedAt !== null,
  };
}

export async function getDeadLetter(deps: Pick<Deps, "database">, { id }: { id: string }) {
  const job = await getDeadJob(deps.database, id);
  if (!job) throw new AppError("NOT_FOUND", `No dead letter ${id}`);
  return present(job, await contextOf(deps, [job]));
}

export async function replayDeadLetter(
  deps: Pick<Deps, "database" | "jobs" | "clock" | "doorbell" | "logger">,
  { id }: { id: string },
): Promise<ReplayResult> {
  const job = await getDeadJob(deps.database, id);
  if (!job) throw new AppError("NOT_FOUND", `No dead letter ${id}`);
  const result = await replay(deps, job);
  deps.doorbell.ring();
  deps.logger.info("Dead letter replayed", { job_id: id, type: job.type, action: result.action });
  return result;
}

export async function purgeDeadLetter(
  deps: Pick<Deps, "database" | "logger">,
  { id }: { id: string },
): Promise<{ id: string; deleted: true }> {
  const [purged] = await deps.database.atomic([purgeDeadStatement(id)]);
  if (!purged?.changed) throw new AppError("NOT_FOUND", `No dead letter ${id}`);
  deps.logger.info("Dead letter purged", { job_id: id });
  return { id, deleted: true };
}

/** Replays up to `limit` dead letters matching the filter, from the cursor on. */
export async function replayDeadLetters(
  deps: Pick<Deps, "database" | "jobs" | "clock" | "doorbell" | "logger">,
  query: DeadLetterQuery,
): Promise<BulkReplayResult> {
  const { matches, stoppedAt } = await walk(deps, query, Math.min(query.limit, MAX_BULK_REPLAY));
  const results: ReplayResult[] = [];
  const refused: BulkReplayResult["refused"] = [];
  for (const job of matches) {
    try {
      results.push(await replay(deps, job));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refused.push({ id: job.id, code: err.code, message: err.message });
    }
  }
  if (results.length > 0) deps.doorbell.ring();
  deps.logger.info("Dead letters replayed", { replayed: results.length, refused: refused.length });
  return {
    replayed: results.length,
    results,
    refused,
    next_cursor: stoppedAt ? encodeDeadCursor(stoppedAt) : null,
    has_more: stoppedAt !== null,
  };
}

async function replay(
  deps: Pick<Deps, "database" | "jobs" | "clock" | "doorbell" | "logger">,
  job: JobRecord,
): Promise<ReplayResult> {
  const done = (action: ReplayAction, runId: string | null = null): ReplayResult => ({
    id: job.id,
    type: job.type,
    action,
    job_key: job.key,
    run_id: runId,
  });
  const payload = job.payload as { syncId?: unknown; objectId?: unknown };
  if (job.type === reconcileJob.type) {
    if (typeof payload.syncId !== "string") throw new AppError("CONFLICT", `Job ${job.id} names no sync`);
    // The new pass's job takes the dead one's key: the dead letter becomes the new pass.
    return done("new_pass", await triggerPass(deps, { syncId: payload.syncId }));
  }
  if (job.type === ingestJob.type) {
    const sync = typeof payload.syncId === "string" ? await syncOf(deps, payload.syncId) : undefined;
    if (!sync) throw new AppError("CONFLICT", `The sync of job ${job.id} was deleted: purge it`);
    if (sync.status === "paused")
      throw new AppError("CONFLICT", `Sync ${sync.id} is paused: resume it first`);
    await revive(deps, job);
    return done("revived");
  }
  if (job.type === deliverJob.type || job.type === downloadJob.type) {
    const object = await objectOfJob(deps, job);
    if (object?.state === "failed") {
      const { request } = await planObjectRetry(deps, { bucketId: object.bucketId, assetId: object.assetId });
      await deps.database.atomic([purgeDeadStatement(job.id), deps.jobs.enqueueStatement(request)]);
      return done("object_retry");
    }
    await revive(deps, job);
    return done("revived");
  }
  if (job.type === createRenditionShape.type) {
    const request = createRenditionShape.payload.safeParse(job.payload);
    if (!request.success || !(await reopenGivenUpRequest(deps, request.data)))
      throw new AppError("CONFLICT", `The request of job ${job.id} was answered since: purge it`);
    await revive(deps, job);
    return done("revived");
  }
  if (job.type === removeRenditionsJob.type) {
    await revive(deps, job);
    return done("revived");
  }
  throw new AppError(
    "CONFLICT",
    `Job ${job.id} is of a type this version does not run (${job.type}): purge it`,
  );
}

async function revive(deps: Pick<Deps, "database" | "clock">, job: JobRecord): Promise<void> {
  const [revived] = await deps.database.atomic([reviveDeadStatement(job.id, deps.clock.now())]);
  if (!revived?.changed) throw new AppError("CONFLICT", `Job ${job.id} is no longer dead`);
}

async function syncOf(deps: Pick<Deps, "database">, syncId: string) {
  return deps.database.db.select().from(syncs).where(eq(syncs.id, syncId)).get();
}

/** The object a delivery or download names (older delivery jobs named a delivery id). */
async function objectOfJob(deps: Pick<Deps, "database">, job: JobRecord) {
  const id = objectIdOf(job);
  return id ? deps.database.db.select().from(objects).where(eq(objects.id, id)).get() : undefined;
}

function objectIdOf(job: JobRecord): string | null {
  const { objectId, deliveryId } = job.payload as { objectId?: unknown; deliveryId?: unknown };
  if (typeof objectId === "string") return objectId;
  // `{object id}.v{version}`: the id of a delivery names its object.
  if (typeof deliveryId === "string") return deliveryId.replace(/\.v\d+$/, "");
  return null;
}

/**
 * Walks dead jobs from the cursor: the matches (at most `limit`) and where the walk stopped (the
 * last match taken, or the last job looked at), or null when it reached the oldest.
 */
async function walk(
  deps: Pick<Deps, "database">,
  query: DeadLetterQuery,
  limit: number,
): Promise<{ matches: JobRecord[]; stoppedAt: DeadPosition | null; context: Context }> {
  const residual = query.bucket_id !== undefined || query.sync_id !== undefined || query.error !== undefined;
  const window = residual ? EXAMINED_PER_CALL : limit + 1;
  const examined = await listDeadJobs(deps.database, {
    ...(query.type === undefined ? {} : { type: query.type }),
    after: query.cursor ? decodeDeadCursor(query.cursor) : null,
    limit: window,
  });
  // Only a bucket or sync filter needs every examined job's object; the page needs its own.
  const placed = query.bucket_id !== undefined || query.sync_id !== undefined;
  const filterContext = placed ? await contextOf(deps, examined) : null;
  const matches = residual
    ? examined.filter((job) => matchesFilter(job, query, filterContext ?? EMPTY_CONTEXT))
    : examined;
  const page = matches.slice(0, limit);
  const context = filterContext ?? (await contextOf(deps, page));
  const last =
    matches.length > limit ? page.at(-1) : examined.length === window ? examined.at(-1) : undefined;
  return { matches: page, stoppedAt: last ? { at: last.availableAt, id: last.id } : null, context };
}

function matchesFilter(job: JobRecord, filter: DeadLetterFilter, context: Context): boolean {
  const { syncId, bucketId } = placeOf(job, context);
  if (filter.sync_id !== undefined && syncId !== filter.sync_id) return false;
  if (filter.bucket_id !== undefined && bucketId !== filter.bucket_id) return false;
  if (filter.error !== undefined && !(job.lastError ?? "").toLowerCase().includes(filter.error.toLowerCase()))
    return false;
  return true;
}

/** The sync and bucket a dead job concerns: named in its payload, or through its object. */
function placeOf(job: JobRecord, context: Context): { syncId: string | null; bucketId: string | null } {
  const object = context.objects.get(job.id);
  const named = (job.payload as { syncId?: unknown }).syncId;
  const syncId = typeof named === "string" ? named : (object?.syncId ?? null);
  const bucketId = object?.bucketId ?? (syncId ? (context.syncs.get(syncId)?.bucketId ?? null) : null);
  return { syncId, bucketId };
}

/** The syncs (a small table) and the object of each job, read in a few statements. */
async function contextOf(deps: Pick<Deps, "database">, jobs: readonly JobRecord[]): Promise<Context> {
  const { db } = deps.database;
  const syncRows = await db
    .select({ id: syncs.id, bucketId: syncs.bucketId, status: syncs.status })
    .from(syncs)
    .all();
  const syncMap = new Map(syncRows.map((s) => [s.id, { bucketId: s.bucketId, status: s.status }]));
  const byJob = new Map<string, ObjectRow>();
  // Deliveries and downloads name their object's id.
  const named = jobs.flatMap((job) => {
    const id = objectIdOf(job);
    return id ? [{ job: job.id, id }] : [];
  });
  const byId = new Map<string, ObjectRow>();
  for (const chunk of chunks([...new Set(named.map((n) => n.id))]))
    for (const row of await db.select().from(objects).where(inArray(objects.id, chunk)).all())
      byId.set(row.id, row);
  for (const { job, id } of named) {
    const row = byId.get(id);
    if (row) byJob.set(job, row);
  }
  // An ingest job names its sync and asset: its object is found by bucket and asset id.
  const wanted = new Map<string, Array<{ job: string; assetId: string }>>();
  for (const job of jobs) {
    const { syncId, assetId } = job.payload as { syncId?: unknown; assetId?: unknown };
    const bucketId = typeof syncId === "string" ? syncMap.get(syncId)?.bucketId : undefined;
    if (job.type !== ingestJob.type || !bucketId || typeof assetId !== "string") continue;
    wanted.set(bucketId, [...(wanted.get(bucketId) ?? []), { job: job.id, assetId }]);
  }
  for (const [bucketId, list] of wanted) {
    const byAsset = new Map<string, ObjectRow>();
    for (const chunk of chunks([...new Set(list.map((w) => w.assetId))]))
      for (const row of await db
        .select()
        .from(objects)
        .where(and(eq(objects.bucketId, bucketId), inArray(objects.assetId, chunk)))
        .all())
        byAsset.set(row.assetId, row);
    for (const { job, assetId } of list) {
      const row = byAsset.get(assetId);
      if (row) byJob.set(job, row);
    }
  }
  return { syncs: syncMap, objects: byJob };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IDS_PER_STATEMENT) out.push(items.slice(i, i + IDS_PER_STATEMENT));
  return out;
}

function present(job: JobRecord, context: Context): DeadLetterView {
  const { status: _status, available_at: _due, ...view } = presentJob(job);
  const { syncId, bucketId } = placeOf(job, context);
  const object = context.objects.get(job.id);
  return {
    ...view,
    died_at: isoTime(job.finishedAt ?? job.availableAt),
    sync_id: syncId,
    bucket_id: bucketId,
    object: object
      ? { id: object.id, asset_id: object.assetId, state: object.state, reason: object.reason }
      : null,
  };
}

function encodeDeadCursor(position: DeadPosition): string {
  return encodePageCursor(["dead", position.at, position.id]);
}

function decodeDeadCursor(cursor: string): DeadPosition {
  const [at, id] = decodePageCursor(cursor, "dead", ["number", "string"]);
  return { at, id };
}
