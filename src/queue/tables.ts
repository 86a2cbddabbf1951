/**
 * The queue's own tables. Only `src/queue/` reads or writes them: everything else asks the queue
 * (`JobStore`, or the Cloudflare adapter for `job_messages`), so the meaning of a row, and every
 * statement that changes one, lives in one folder.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const JOB_STATUSES = ["pending", "running", "done", "dead"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    queue: text("queue").notNull(),
    type: text("type").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<JobStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    availableAt: integer("available_at").notNull(),
    /** The claim token: a worker may only finish a job whose lease id is still its own (compare-and-swap). */
    leaseId: text("lease_id"),
    lockedUntil: integer("locked_until"),
    /** Set when the job is enqueued again while running: it runs once more instead of finishing. */
    rerun: integer("rerun", { mode: "boolean" }).notNull().default(false),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    uniqueIndex("jobs_queue_key_uq").on(t.queue, t.idempotencyKey),
    index("jobs_claim_idx").on(t.queue, t.status, t.availableAt),
    // The oldest due job of each type (metrics) in one index step per type.
    index("jobs_type_due_idx").on(t.status, t.type, t.availableAt),
  ],
);

/**
 * Workers only: the Cloudflare Queues message on its way for a pending job. A row exists exactly
 * while a message for the job's current wait is in flight: the dispatcher writes it before
 * sending, the consumer deletes it when that message claims the job, and deleting the job drops
 * it. A pending job without a row therefore needs a message. Node never writes here.
 */
export const jobMessages = sqliteTable("job_messages", {
  jobId: text("job_id")
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  /** When the message is due to arrive; one long overdue is presumed lost and sent again. */
  dueAt: integer("due_at").notNull(),
});

/**
 * Jobs by type and status, kept by triggers on `jobs` (migration 0006) so that reading the
 * queue's depth never counts the table.
 */
export const jobCounts = sqliteTable(
  "job_counts",
  {
    type: text("type").notNull(),
    status: text("status").$type<JobStatus>().notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.type, t.status] })],
);
