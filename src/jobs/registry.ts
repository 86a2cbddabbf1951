/**
 * The job types, listed once. The runner and the Workers consumer look handlers up in the
 * registry built from this list; each handler gets a payload its type's schema has parsed.
 */
import { AppError, describeError } from "../lib/errors";
import type { ClaimedJob, JobDefinition, JobRegistry } from "../queue/types";
import type { Deps } from "../sync/deps";
import { createRenditionJob } from "./create-rendition";
import { deliverJob } from "./deliver";
import { downloadJob } from "./download";
import { ingestJob } from "./ingest";
import type { JobType } from "./job-type";
import { reconcileJob } from "./reconcile";
import { removeRenditionsJob } from "./remove-renditions";

/** Each job type as the registry holds it: its name and its definition bound to the dependencies. */
const JOB_TYPES: ReadonlyArray<(deps: Deps) => [string, JobDefinition]> = [
  bind(ingestJob),
  bind(reconcileJob),
  bind(deliverJob),
  bind(downloadJob),
  bind(createRenditionJob),
  bind(removeRenditionsJob),
];

export function createJobRegistry(deps: Deps): JobRegistry {
  return Object.fromEntries(JOB_TYPES.map((entry) => entry(deps)));
}

function bind<Payload extends Record<string, unknown>>(type: JobType<Payload>) {
  return (deps: Deps): [string, JobDefinition] => [type.type, definitionOf(deps, type)];
}

function definitionOf<Payload extends Record<string, unknown>>(
  deps: Deps,
  type: JobType<Payload>,
): JobDefinition {
  const onDead = type.onDead;
  return {
    handle: (job) => type.handle(deps, parsePayload(type, job), job),
    onDead: onDead
      ? async (job, error) => {
          const parsed = type.payload.safeParse(job.payload);
          // A payload no schema accepts was dead-lettered for that reason; there is no object to mark.
          if (!parsed.success) {
            deps.logger.error("Dead job with an invalid payload", { job_id: job.id, type: job.type });
            return;
          }
          await onDead(deps, parsed.data, job, error);
        }
      : undefined,
  };
}

/** Invalid payloads cannot become valid by retrying: the job is dead-lettered at once. */
function parsePayload<Payload extends Record<string, unknown>>(
  type: JobType<Payload>,
  job: ClaimedJob,
): Payload {
  const parsed = type.payload.safeParse(job.payload);
  if (parsed.success) return parsed.data;
  throw new AppError(
    "VALIDATION",
    `Job ${job.id} (${type.type}) has an invalid payload: ${describeError(parsed.error)}`,
  );
}
