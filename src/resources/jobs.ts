/** The queue as a person sees it: jobs by status (dead letters first of all), and reviving one. */
import { and, desc, eq, type SQL } from "drizzle-orm";
import { type JobStatus, jobs } from "../db/schema";
import type { JobView } from "../http/admin/schemas";
import { AppError } from "../lib/errors";
import type { AppServices } from "../service-graph";
import { RECONCILE_JOB } from "./passes";
import { presentJob } from "./present";

export async function listJobs(
  services: AppServices,
  query: { status?: JobStatus; type?: string; limit: number },
): Promise<JobView[]> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(jobs.status, query.status));
  if (query.type) conditions.push(eq(jobs.type, query.type));
  const rows = await services.database.db
    .select()
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.updatedAt), desc(jobs.id))
    .limit(query.limit)
    .all();
  return rows.map(presentJob);
}

export async function retryJob(services: AppServices, id: string): Promise<JobView> {
  const { db } = services.database;
  const job = await db.select().from(jobs).where(eq(jobs.id, id)).get();
  if (!job) throw new AppError("NOT_FOUND", `Job ${id} does not exist`);
  if (job.status !== "dead")
    throw new AppError("CONFLICT", `Only dead jobs can be retried; job ${id} is ${job.status}`);
  if (job.type === RECONCILE_JOB) {
    // Its run is already recorded as failed; a new pass is the retry.
    throw new AppError(
      "CONFLICT",
      "A dead reconciliation pass is not revived: trigger a new pass of its sync",
    );
  }
  await services.jobs.retryDead(job.idempotencyKey, job.queue);
  services.notifyJobs();
  services.logger.info("Dead job revived", { job_id: id, type: job.type });
  const row = await db.select().from(jobs).where(eq(jobs.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Job ${id} does not exist`);
  return presentJob(row);
}
