/** The queue as a person sees it: jobs by status (dead letters first of all), and reviving one. */
import { eq } from "drizzle-orm";
import { deliveries, objects } from "../db/schema";
import { createRenditionShape, reopenGivenUpRequest } from "../jobs/create-rendition-request";
import { deliverJob } from "../jobs/deliver";
import { downloadJob } from "../jobs/download";
import { reconcileJob } from "../jobs/reconcile";
import { AppError } from "../lib/errors";
import type { JobRecord } from "../queue/types";
import type { Deps } from "../sync/deps";
import { presentJob } from "./present";
import type { JobListQuery, JobView } from "./views";

export async function listJobs(deps: Pick<Deps, "jobs">, query: JobListQuery): Promise<JobView[]> {
  return (await deps.jobs.list(query)).map(presentJob);
}

/**
 * Jobs whose payload names one version of an object. Their dead-lettering moved the object on (to
 * `failed`, a newer version), so reviving the job would run against a version that is no longer
 * current and do nothing: the object's retry (a fresh read from Mux, a new version, a new
 * download or delivery) is the retry.
 */
const OBJECT_VERSION_JOBS: ReadonlySet<string> = new Set([deliverJob.type, downloadJob.type]);

export async function retryJob(
  deps: Pick<Deps, "database" | "jobs" | "doorbell" | "logger">,
  { id }: { id: string },
): Promise<JobView> {
  const job = await deps.jobs.get(id);
  if (!job) throw new AppError("NOT_FOUND", `Job ${id} does not exist`);
  if (job.status !== "dead")
    throw new AppError("CONFLICT", `Only dead jobs can be retried; job ${id} is ${job.status}`);
  if (job.type === reconcileJob.type) {
    // Its run is already recorded as failed; a new pass is the retry.
    throw new AppError(
      "CONFLICT",
      "A dead reconciliation pass is not revived: trigger a new pass of its sync",
    );
  }
  if (OBJECT_VERSION_JOBS.has(job.type)) throw new AppError("CONFLICT", await objectRetryHint(deps, job));
  if (job.type === createRenditionShape.type) await reopenRequest(deps, job);
  await deps.jobs.retryDead(job.key, job.queue);
  deps.doorbell.ring();
  deps.logger.info("Dead job revived", { job_id: id, type: job.type });
  const revived = await deps.jobs.get(id);
  if (!revived) throw new AppError("NOT_FOUND", `Job ${id} does not exist`);
  return presentJob(revived);
}

/** A dead create-rendition job gave its request up: the retry asks Mux again, or is refused. */
async function reopenRequest(deps: Pick<Deps, "database">, job: JobRecord): Promise<void> {
  const payload = createRenditionShape.payload.safeParse(job.payload);
  if (payload.success && (await reopenGivenUpRequest(deps, payload.data))) return;
  throw new AppError(
    "CONFLICT",
    "A dead create-rendition job is revived only while its request stands given up; this one was answered since",
  );
}

/** Why a dead delivery or download is not revived, naming the object retry that replaces it. */
async function objectRetryHint(deps: Pick<Deps, "database">, job: JobRecord): Promise<string> {
  const { db } = deps.database;
  const { objectId, deliveryId } = job.payload as { objectId?: unknown; deliveryId?: unknown };
  const named =
    typeof objectId === "string"
      ? objectId
      : typeof deliveryId === "string"
        ? ((await db.select().from(deliveries).where(eq(deliveries.id, deliveryId)).get())?.objectId ?? null)
        : null;
  const object = named ? await db.select().from(objects).where(eq(objects.id, named)).get() : undefined;
  const head = `A dead ${job.type} job is not revived: it names an object version its failure moved past`;
  if (!object) return `${head}, and that object no longer exists`;
  return `${head}. Retry the object instead: POST /v1/buckets/${object.bucketId}/objects/${object.assetId}/retry`;
}
