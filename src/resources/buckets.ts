/**
 * Bucket verbs: a named collection of objects, with the pipeline URL its deliveries go to and
 * the pipeline secret they are signed with (its own; sealed; answered in clear only by the
 * creation or rotation that set it).
 */
import { asc, eq, inArray, sql } from "drizzle-orm";
import { buckets, deliveries, objectHistory, objects, syncs } from "../db/schema";
import { deliverJob, deliverKeysOfBucket } from "../jobs/deliver";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { assertPipelineUrl } from "../pipeline/pipeline-url";
import type { Deps } from "../sync/deps";
import {
  DEFAULT_GRACE_SECONDS,
  generatePipelineSecret,
  presentPipelineSecretHint,
  rotatePipelineSecret,
  sealPipelineSecret,
} from "../sync/pipeline-secrets";
import { isoTime } from "./present";
import { deleteSyncStatements } from "./sync-removal";
import type {
  BucketCreateInput,
  BucketPatchInput,
  BucketRotateInput,
  BucketView,
  BucketWithSecretView,
} from "./views";

type ReadDeps = Pick<Deps, "database">;
type ViewDeps = Pick<Deps, "database" | "clock">;
type WriteDeps = Pick<Deps, "database" | "clock" | "logger" | "box" | "redactor">;

type BucketRow = typeof buckets.$inferSelect;

export async function findBucket(deps: ReadDeps, id: string): Promise<BucketRow> {
  const row = await deps.database.db.select().from(buckets).where(eq(buckets.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Bucket ${id} does not exist`);
  return row;
}

/** Object counts by state for each bucket. */
export async function objectCountsByBucket(
  deps: ReadDeps,
  bucketIds: string[],
): Promise<Map<string, Record<string, number>>> {
  const counts = new Map<string, Record<string, number>>(bucketIds.map((id) => [id, {}]));
  if (bucketIds.length === 0) return counts;
  const rows = await deps.database.db
    .select({ bucketId: objects.bucketId, state: objects.state, n: sql<number>`COUNT(*)` })
    .from(objects)
    .where(inArray(objects.bucketId, bucketIds))
    .groupBy(objects.bucketId, objects.state)
    .all();
  for (const row of rows) {
    const byState = counts.get(row.bucketId);
    if (byState) byState[row.state] = row.n;
  }
  return counts;
}

async function present(deps: ViewDeps, rows: BucketRow[]): Promise<BucketView[]> {
  const ids = rows.map((r) => r.id);
  const counts = await objectCountsByBucket(deps, ids);
  const syncRows =
    ids.length === 0
      ? []
      : await deps.database.db
          .select({ id: syncs.id, bucketId: syncs.bucketId })
          .from(syncs)
          .where(inArray(syncs.bucketId, ids))
          .orderBy(asc(syncs.id))
          .all();
  return rows.map((row) => {
    const byState = counts.get(row.id) ?? {};
    return {
      id: row.id,
      name: row.name,
      pipeline_url: row.pipelineUrl,
      pipeline_secret_hint: row.pipelineSecret
        ? presentPipelineSecretHint(row.secretHints.pipeline_secret)
        : null,
      ...previousSecret(row, deps.clock.now()),
      origin: row.origin,
      sync_ids: syncRows.filter((s) => s.bucketId === row.id).map((s) => s.id),
      objects: { total: Object.values(byState).reduce((a, b) => a + b, 0), by_state: byState },
      created_at: isoTime(row.createdAt),
      updated_at: isoTime(row.updatedAt),
    };
  });
}

async function presentOne(deps: ViewDeps, row: BucketRow): Promise<BucketView> {
  const [view] = await present(deps, [row]);
  if (!view) throw new AppError("INTERNAL", "Presenting a bucket produced nothing");
  return view;
}

/** The previous secret's mask and end while its grace lasts (a lapsed one is wiped at the next delivery). */
function previousSecret(row: BucketRow, now: number) {
  const active =
    row.pipelineSecretPrevious !== null &&
    row.pipelineSecretPreviousUntil !== null &&
    now < row.pipelineSecretPreviousUntil;
  return {
    pipeline_secret_previous_hint: active
      ? presentPipelineSecretHint(row.secretHints.pipeline_secret_previous)
      : null,
    pipeline_secret_previous_until: active ? isoTime(row.pipelineSecretPreviousUntil) : null,
  };
}

/** Creates a bucket with its own pipeline secret (the one given, or a generated one), answered once. */
export async function createBucket(deps: WriteDeps, input: BucketCreateInput): Promise<BucketWithSecretView> {
  assertPipelineUrl(input.pipeline_url);
  const now = deps.clock.now();
  const id = newId("bkt");
  const secret = input.pipeline_secret ?? generatePipelineSecret();
  await deps.database.db.insert(buckets).values({
    id,
    name: input.name,
    pipelineUrl: input.pipeline_url ?? null,
    ...(await sealPipelineSecret(deps.box, secret)),
    origin: "api",
    createdAt: now,
    updatedAt: now,
  });
  deps.redactor.add(secret);
  deps.logger.info("Bucket created", { bucket_id: id, pipeline_secret_generated: !input.pipeline_secret });
  return { ...(await presentOne(deps, await findBucket(deps, id))), pipeline_secret: secret };
}

/**
 * Gives a bucket a new pipeline secret (the one given, or a generated one), answered once. The
 * previous one keeps signing deliveries, beside the new one, for `grace_seconds` (default a day):
 * the pipeline accepts either while it is rolled out.
 */
export async function rotateBucketSecret(
  deps: WriteDeps,
  input: { bucketId: string } & BucketRotateInput,
): Promise<BucketWithSecretView> {
  const row = await findBucket(deps, input.bucketId);
  const now = deps.clock.now();
  const secret = input.pipeline_secret ?? generatePipelineSecret();
  const graceMs = (input.grace_seconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  await deps.database.db
    .update(buckets)
    .set({ ...(await rotatePipelineSecret(deps.box, row, secret, graceMs, now)), updatedAt: now })
    .where(eq(buckets.id, row.id));
  deps.redactor.add(secret);
  deps.logger.info("Bucket pipeline secret rotated", { bucket_id: row.id, grace_seconds: graceMs / 1000 });
  return { ...(await presentOne(deps, await findBucket(deps, row.id))), pipeline_secret: secret };
}

export async function listBuckets(deps: ViewDeps): Promise<BucketView[]> {
  return present(deps, await deps.database.db.select().from(buckets).orderBy(asc(buckets.createdAt)).all());
}

export async function getBucket(deps: ViewDeps, input: { bucketId: string }): Promise<BucketView> {
  return presentOne(deps, await findBucket(deps, input.bucketId));
}

/**
 * Renames a bucket, changes its pipeline URL, or rotates its secret (`pipeline_secret`, with
 * `grace_seconds`). A bucket that would have a pipeline URL and no secret is refused: its
 * deliveries could not be signed.
 */
export async function updateBucket(
  deps: WriteDeps,
  input: { bucketId: string; patch: BucketPatchInput },
): Promise<BucketView> {
  const { bucketId: id, patch } = input;
  assertPipelineUrl(patch.pipeline_url);
  const row = await findBucket(deps, id);
  const pipelineUrl = patch.pipeline_url === undefined ? row.pipelineUrl : patch.pipeline_url;
  if (pipelineUrl && !row.pipelineSecret && patch.pipeline_secret === undefined) {
    const message = `bucket ${id} has no pipeline secret, and deliveries are always signed: send pipeline_secret with the URL (or POST /v1/buckets/${id}/rotate-secret first)`;
    throw new AppError("VALIDATION", `pipeline_url: ${message}`, {
      details: [{ field: "pipeline_secret", message }],
    });
  }
  if (patch.grace_seconds !== undefined && patch.pipeline_secret === undefined) {
    const message = "applies to a rotation: send it with pipeline_secret";
    throw new AppError("VALIDATION", `grace_seconds: ${message}`, {
      details: [{ field: "grace_seconds", message }],
    });
  }
  const now = deps.clock.now();
  // One statement: a new URL never lands without the secret sent with it, nor the other way round.
  const rotation =
    patch.pipeline_secret === undefined
      ? {}
      : await rotatePipelineSecret(
          deps.box,
          row,
          patch.pipeline_secret,
          (patch.grace_seconds ?? DEFAULT_GRACE_SECONDS) * 1000,
          now,
        );
  await deps.database.db
    .update(buckets)
    .set({ name: patch.name ?? row.name, pipelineUrl, ...rotation, updatedAt: now })
    .where(eq(buckets.id, id));
  if (patch.pipeline_secret !== undefined) {
    deps.redactor.add(patch.pipeline_secret);
    deps.logger.info("Bucket pipeline secret rotated", { bucket_id: id, grace_seconds: patch.grace_seconds });
  }
  return presentOne(deps, await findBucket(deps, id));
}

/**
 * Deletes a bucket with its objects, their history and deliveries. Refused while syncs feed it,
 * unless `force` (then the syncs go too). Nothing is sent to the pipeline: deleting the bucket is
 * not the assets being deleted in Mux. Its stored files go once the rows are gone (a download
 * still running then removes what it wrote itself: `jobs/download.ts`).
 */
export async function deleteBucket(
  deps: WriteDeps & Pick<Deps, "jobs" | "storage">,
  input: { bucketId: string; force?: boolean },
) {
  const id = input.bucketId;
  await findBucket(deps, id);
  const { db } = deps.database;
  const syncIds = (await db.select({ id: syncs.id }).from(syncs).where(eq(syncs.bucketId, id)).all()).map(
    (s) => s.id,
  );
  if (syncIds.length > 0 && !input.force) {
    throw new AppError(
      "CONFLICT",
      `Bucket ${id} has ${syncIds.length} sync(s) (${syncIds.join(", ")}): delete them first, or pass ?force=true`,
      { details: { sync_ids: syncIds } },
    );
  }
  await deps.database.atomic([
    ...syncIds.flatMap((syncId) => deleteSyncStatements(deps, syncId)),
    deps.jobs.deleteStatement({ type: deliverJob.type, keysFrom: deliverKeysOfBucket(id) }),
    sql`DELETE FROM ${objectHistory} WHERE object_id IN (SELECT id FROM ${objects} WHERE bucket_id = ${id})`,
    db.delete(deliveries).where(eq(deliveries.bucketId, id)),
    db.delete(objects).where(eq(objects.bucketId, id)),
    db.delete(buckets).where(eq(buckets.id, id)),
  ]);
  await deps.storage?.deleteBucketFiles(id);
  deps.logger.info("Bucket deleted", { bucket_id: id, syncs_deleted: syncIds.length });
}
