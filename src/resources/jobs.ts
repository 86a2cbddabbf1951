/** The queue as a person sees it: jobs by status (dead letters first of all), and reviving one. */
import { reconcileJob } from "../jobs/reconcile";
import { AppError } from "../lib/errors";
import type { Deps } from "../sync/deps";
import { presentJob } from "./present";
import type { JobListQuery, JobView } from "./views";

export async function listJobs(deps: Pick<Deps, "jobs">, query: JobListQuery): Promise<JobView[]> {
  return (await deps.jobs.list(query)).map(presentJob);
}

export async function retryJob(
  deps: Pick<Deps, "jobs" | "doorbell" | "logger">,
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
  await deps.jobs.retryDead(job.key, job.queue);
  deps.doorbell.ring();
  deps.logger.info("Dead job revived", { job_id: id, type: job.type });
  const revived = await deps.jobs.get(id);
  if (!revived) throw new AppError("NOT_FOUND", `Job ${id} does not exist`);
  return presentJob(revived);
}
