/**
 * Re-delivering an object: its newest delivery goes to the pipeline again, as it is (same
 * `webhook-id`, so a pipeline that already has it can tell; the body is built afresh at send
 * time, signed URLs included). For a pipeline that lost what it was sent, and for a departure
 * (`object.deleted`) whose delivery failed while the object itself stayed `deleted`.
 *
 * A failed object is not re-delivered: its retry reads the asset from Mux again and sends a new
 * version. The delivery is queued anew (`created_at` is when it was asked for, so the delivery
 * latency measures the re-delivery), with its job, in one atomic write.
 */
import { sql } from "drizzle-orm";
import { deliverJob, newestDelivery } from "../jobs/deliver";
import { AppError } from "../lib/errors";
import type { Deps } from "../sync/deps";
import { findObjectById } from "./object-story";

export type RedeliverResult = { object_id: string; delivery_id: string };

export async function redeliverObject(
  deps: Pick<Deps, "database" | "jobs" | "doorbell" | "logger" | "clock">,
  { objectId }: { objectId: string },
): Promise<RedeliverResult> {
  const object = await findObjectById(deps, objectId);
  if (object.state === "failed")
    throw new AppError("CONFLICT", `Object ${objectId} failed: retry it instead (a fresh read from Mux)`);
  const newest = await newestDelivery(deps, objectId);
  if (!newest)
    throw new AppError("CONFLICT", `Object ${objectId} was never delivered: nothing to send again`);
  if (newest.status !== "delivered" && newest.status !== "failed")
    throw new AppError("CONFLICT", `Delivery ${newest.id} is ${newest.status}: it is already on its way`);
  const [requeued] = await deps.database.atomic([
    sql`UPDATE deliveries SET status = 'pending', created_at = ${deps.clock.now()}
         WHERE id = ${newest.id} AND status IN ('delivered', 'failed')`,
    deps.jobs.enqueueStatement(deliverJob.request({ objectId }), {
      onlyIf: sql`EXISTS (SELECT 1 FROM deliveries WHERE id = ${newest.id} AND status = 'pending')`,
    }),
  ]);
  if (!requeued?.changed)
    throw new AppError("CONFLICT", `Delivery ${newest.id} changed meanwhile: look at the object again`);
  deps.doorbell.ring();
  deps.logger.info("Re-delivery requested", { object_id: objectId, delivery_id: newest.id });
  return { object_id: objectId, delivery_id: newest.id };
}
