/** The queue's vocabulary, shared by the SQLite store, the Node runner and the Workers consumer. */

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

export type JobRegistry = Record<string, JobDefinition>;

export const DEFAULT_QUEUE = "default";
