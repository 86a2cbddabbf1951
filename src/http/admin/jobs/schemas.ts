/** `/v1/jobs`: the queue as people see it, dead letters first of all. */
import { z } from "@hono/zod-openapi";
import { JOB_STATUSES } from "../../../queue/types";
import type { JobView } from "../../../resources/views";
import { type Documents, limit, pathParam, time } from "../openapi";

export const jobListQuerySchema = z.object({
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }).optional(),
  type: z.string().max(50).optional(),
  limit: limit(50, 500),
});

export const jobParams = z.object({ id: pathParam("id", "job_1f2e3d") });

export const jobSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    key: z.string(),
    status: z.string(),
    attempts: z.number(),
    max_attempts: z.number(),
    available_at: time,
    last_error: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    created_at: time,
    updated_at: time,
    finished_at: time,
  })
  .openapi("Job");

const _job: Documents<typeof jobSchema, JobView> = true;
