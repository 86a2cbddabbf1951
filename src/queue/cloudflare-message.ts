/**
 * What travels through Cloudflare Queues: only the job's id. The job itself (type, payload,
 * attempts, when it is due) stays in D1, so a message is a doorbell, never the source of truth:
 * a duplicate, late or early message cannot change what the job does.
 */
import { z } from "zod";

export const jobMessageSchema = z.object({ jobId: z.string().min(1) });

export type JobMessage = z.infer<typeof jobMessageSchema>;

/** Cloudflare Queues refuses delays above 12 hours. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 3600;

/** A wait in milliseconds as a Queues `delaySeconds`: rounded up (never early), within Queues' range. */
export function queueDelaySeconds(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) return 0;
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(ms / 1000));
}
