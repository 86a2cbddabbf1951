/** The queue's vocabulary, shared by the SQLite store, the Node runner and the Workers consumer. */
import type { JobStatus } from "./tables";

export { JOB_STATUSES } from "./tables";
export type { JobStatus };

export const DEFAULT_QUEUE = "default";

export type EnqueueRequest = {
  type: string;
  /** Unique per queue: enqueueing a key that is already waiting is a no-op. */
  key: string;
  payload: Record<string, unknown>;
  queue?: string;
  maxAttempts?: number;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
};

export type ClaimedJob = {
  id: string;
  queue: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  leaseId: string;
};

/** A job as people and metrics see it (the lease internals left out). */
export type JobRecord = {
  id: string;
  queue: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  availableAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
};

/** What the store decided after a failure. */
export type FailureOutcome =
  | { kind: "retry"; availableAt: number }
  | { kind: "dead" }
  /** The lease had been lost (expired and claimed by another worker): nothing was written. */
  | { kind: "lost" };

export type JobHandler = (job: ClaimedJob) => Promise<void>;

export type JobDefinition = {
  handle: JobHandler;
  /** Called once when the job is dead-lettered, to record the failure where people look for it. */
  onDead?: (job: ClaimedJob, error: unknown) => Promise<void>;
};

export type JobRegistry = Readonly<Record<string, JobDefinition>>;
