/**
 * What a job type is: its name in the queue, the schema its payload is parsed with (a payload
 * read back from the table is never trusted as-is), the key that makes enqueueing it
 * idempotent, and its handler. Each module of `src/jobs/` defines one with `defineJob`; the
 * registry is built from their list (`registry.ts`).
 */
import type { z } from "zod";
import type { ClaimedJob, EnqueueRequest } from "../queue/types";
import type { Deps } from "../sync/deps";

export type JobType<Payload extends Record<string, unknown>> = {
  /** The queue's `type` column. */
  readonly type: string;
  readonly payload: z.ZodType<Payload>;
  /** Unique per queue: a second enqueue of the same key while one waits does nothing. */
  key(payload: Payload): string;
  readonly maxAttempts?: number;
  handle(deps: Deps, payload: Payload, job: ClaimedJob): Promise<void>;
  /** Once the last attempt failed: record the failure where people look for it. */
  onDead?(deps: Deps, payload: Payload, job: ClaimedJob, error: unknown): Promise<void>;
};

/**
 * What enqueueing a job type needs (its name, schema, key and attempts), without its handler: a
 * module whose handler enqueues work that leads back to the enqueuer (a cycle) declares it apart.
 */
export type JobShape<Payload extends Record<string, unknown>> = Pick<
  JobType<Payload>,
  "type" | "payload" | "key" | "maxAttempts"
>;

/** The enqueue request for a payload of a job type (for `JobStore.enqueue` or `enqueueStatement`). */
export function requestFor<Payload extends Record<string, unknown>>(
  shape: JobShape<Payload>,
  payload: Payload,
  options: { delayMs?: number } = {},
): EnqueueRequest {
  return {
    type: shape.type,
    key: shape.key(payload),
    payload,
    ...(shape.maxAttempts === undefined ? {} : { maxAttempts: shape.maxAttempts }),
    ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }),
  };
}

export type DefinedJob<Payload extends Record<string, unknown>> = JobType<Payload> & {
  /** The enqueue request for this payload (for `JobStore.enqueue` or `enqueueStatement`). */
  request(payload: Payload, options?: { delayMs?: number }): EnqueueRequest;
};

export function defineJob<Payload extends Record<string, unknown>>(
  definition: JobType<Payload>,
): DefinedJob<Payload> {
  return { ...definition, request: (payload, options = {}) => requestFor(definition, payload, options) };
}
