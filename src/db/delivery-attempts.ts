/**
 * Each attempt to send a delivery to the pipeline: when, what the pipeline answered (its HTTP
 * status, or none) and the excerpt of a failed answer, for an object's story. Rows are written by
 * triggers of migration 0016, not by code: every statement that counts an attempt on `deliveries`
 * (`attempts = attempts + 1`, with `last_attempt_at`, `last_status` and `last_error`) records it in
 * the same statement, on Node and on D1 alike, at no extra statement per delivery. The newest
 * `DELIVERY_ATTEMPTS_KEPT` per delivery are kept (a revived delivery may be tried again and again),
 * and a delivery's attempts go with it when retention or a bucket's removal deletes it.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Attempts kept per delivery; the trigger drops older ones as it records a new one. */
export const DELIVERY_ATTEMPTS_KEPT = 20;

export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id").notNull(),
    /** The delivery's attempt count once this attempt was counted (1 for the first). */
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    /** The pipeline's HTTP status; null when it did not answer (refused, reset, timed out). */
    status: integer("status"),
    /** What a failed attempt kept of the answer, or why there was none; null on success. */
    error: text("error"),
  },
  // A delivery's attempts newest first (the story's timeline), and the trigger's trim.
  (t) => [index("delivery_attempts_delivery_idx").on(t.deliveryId, t.id)],
);

export type DeliveryAttemptRow = typeof deliveryAttempts.$inferSelect;
