/**
 * The `queue` handler: each message names one job in D1. Messages of the jobs queue run their
 * job (`JobMessageConsumer.handle`); messages of the dead-letter queue dead-letter it. Then the
 * jobs the runs enqueued (deliveries, ingest jobs of a reconcile pass) get their messages.
 */
import type { Message, MessageBatch } from "@cloudflare/workers-types";
import { describeError } from "../lib/errors";
import { backoffDelayMs } from "../queue/backoff";
import { jobMessageSchema, queueDelaySeconds } from "../queue/cloudflare-message";
import type { WorkerRuntime } from "./runtime";

export async function handleQueueBatch(runtime: WorkerRuntime, batch: MessageBatch<unknown>): Promise<void> {
  const deadLetters = batch.queue === runtime.setup.deadLetterQueue;
  // Messages are independent (each claims its own row), and ingest jobs mostly wait on Mux.
  await Promise.all(batch.messages.map((message) => handleMessage(runtime, message, deadLetters)));
  try {
    await runtime.dispatcher.dispatchRecent();
  } catch (err) {
    // The follow-up jobs are in D1; the cron sends them if this did not.
    runtime.logger.error("Could not dispatch follow-up jobs", { error: describeError(err) });
  }
}

async function handleMessage(runtime: WorkerRuntime, message: Message<unknown>, deadLetter: boolean) {
  const log = runtime.logger.child({ message_id: message.id, delivery: message.attempts });
  const parsed = jobMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    // Retrying cannot make a malformed body valid.
    log.error("Dropping a queue message that does not name a job", { body: message.body });
    message.ack();
    return;
  }
  const { jobId } = parsed.data;
  try {
    const verdict = deadLetter
      ? await runtime.consumer.handleDeadLetter(jobId)
      : await runtime.consumer.handle(jobId);
    if (verdict.action === "ack") message.ack();
    else message.retry({ delaySeconds: verdict.delaySeconds });
  } catch (err) {
    // The consumer itself failed (D1 unavailable, ...), not the job: back off on the message.
    // After max_retries such failures Queues moves it to the dead-letter queue.
    const delaySeconds = queueDelaySeconds(backoffDelayMs(message.attempts));
    log.error("Queue message failed; retrying it", {
      job_id: jobId,
      error: describeError(err),
      delaySeconds,
    });
    message.retry({ delaySeconds });
  }
}
