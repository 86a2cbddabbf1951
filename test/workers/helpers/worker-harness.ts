/**
 * Drives the Worker entry inside workerd the way Cloudflare does: `fetch` with an execution
 * context that is waited on, `queue` with message batches built by the pool, `scheduled` with a
 * controller. The jobs queue producer is a recorder, so a test sees each message the Worker sends
 * and decides when it is delivered (Queues' own timing would make the tests slow and flaky).
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { JobMessage } from "../../../src/queue/cloudflare-message";
import worker from "../../../src/worker";
import type { TestEnv } from "./test-env";

export const JOBS_QUEUE = "mux-ingest-jobs";
export const DEAD_LETTER_QUEUE = "mux-ingest-jobs-dlq";
/** wrangler.toml's `max_batch_size` for the jobs queue. */
export const MAX_BATCH_SIZE = 10;

export type SentMessage = { body: JobMessage; delaySeconds?: number };

/** Stands in for the JOBS producer binding. */
export class RecordingQueue {
  private sent: SentMessage[] = [];
  /** Calls to `send`/`sendBatch`: each is one subrequest of the invocation that made it. */
  sends = 0;
  /** While set, sends fail (Queues unavailable). */
  failing = false;

  async send(body: JobMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    await this.sendBatch([{ body, ...options }]);
  }

  async sendBatch(messages: Iterable<SentMessage>): Promise<void> {
    this.sends++;
    if (this.failing) throw new Error("Queue send failed (simulated outage)");
    this.sent.push(...messages);
  }

  /** The messages sent since the last call. */
  take(): SentMessage[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }

  peek(): readonly SentMessage[] {
    return this.sent;
  }
}

export type Delivery = { jobId: string; attempts?: number };

export type DeliveryResult = Array<
  Delivery & { explicit: boolean } & ({ action: "ack" } | { action: "retry"; delaySeconds: number })
>;

export type DrainResult = {
  /** Messages delivered, counting redeliveries. */
  delivered: number;
  /** Messages the Worker retried with a delay: what Queues would deliver later. */
  delayed: { jobId: string; delaySeconds: number }[];
};

let messageCounter = 0;

/**
 * A batch as the `queue` handler sees it, recording each message's fate. (The pool's
 * `createMessageBatch`/`getQueueResult` do not report a retry's `delaySeconds`, which is the
 * point of these tests.)
 */
class RecordedBatch {
  readonly messages: Array<{
    id: string;
    timestamp: Date;
    attempts: number;
    body: JobMessage;
    ack(): void;
    retry(options?: { delaySeconds?: number }): void;
  }>;
  private readonly fates = new Map<string, { action: "ack" } | { action: "retry"; delaySeconds: number }>();

  constructor(
    readonly queue: string,
    private readonly deliveries: Delivery[],
  ) {
    this.messages = deliveries.map((delivery) => {
      const id = `msg-${++messageCounter}`;
      return {
        id,
        timestamp: new Date(),
        attempts: delivery.attempts ?? 1,
        body: { jobId: delivery.jobId },
        ack: () => {
          if (!this.fates.has(id)) this.fates.set(id, { action: "ack" });
        },
        retry: (options = {}) => {
          if (!this.fates.has(id))
            this.fates.set(id, { action: "retry", delaySeconds: options.delaySeconds ?? 0 });
        },
      };
    });
  }

  ackAll(): void {
    for (const message of this.messages) message.ack();
  }

  retryAll(options?: { delaySeconds?: number }): void {
    for (const message of this.messages) message.retry(options);
  }

  outcomes(): DeliveryResult {
    return this.deliveries.map((delivery, i) => {
      const fate = this.fates.get(this.messages[i]?.id ?? "");
      // Neither acked nor retried: Queues counts the message as delivered once the handler returns.
      return { ...delivery, ...(fate ?? { action: "ack" as const }), explicit: fate !== undefined };
    });
  }
}

export type WorkerHarness = ReturnType<typeof createWorkerHarness>;

export type HarnessOptions = {
  /** Vars and secrets overriding the test ones. */
  vars?: Record<string, string>;
  /** Bind the R2 bucket as RENDITIONS (downloads then go through R2). Default false. */
  r2?: boolean;
  /** Replaces the D1 binding (e.g. with a query counter). */
  db?: TestEnv["DB"];
  /** Called when `fetch` has the response, before the work it left to `waitUntil` is waited on. */
  onResponse?: () => void;
};

/** A fresh `env` (so a fresh per-isolate runtime) over the shared D1 of the test file. */
export function createWorkerHarness(options: HarnessOptions = {}) {
  const queue = new RecordingQueue();
  const base = env as TestEnv;
  const testEnv: TestEnv = {
    ...base,
    ...options.vars,
    DB: options.db ?? base.DB,
    RENDITIONS: (options.r2 ? base.RENDITIONS : undefined) as TestEnv["RENDITIONS"],
    JOBS: queue as never,
  };

  async function fetch(input: Request | string, init?: RequestInit): Promise<Response> {
    const request =
      typeof input === "string" ? new Request(new URL(input, "https://worker.test"), init) : input;
    const ctx = createExecutionContext();
    const response = await worker.fetch(request, testEnv, ctx);
    options.onResponse?.();
    await waitOnExecutionContext(ctx);
    return response;
  }

  /** Delivers one batch; says what the Worker did with each message (ack, or retry after a delay). */
  async function deliver(deliveries: Delivery[], queueName = JOBS_QUEUE): Promise<DeliveryResult> {
    const batch = new RecordedBatch(queueName, deliveries);
    await worker.queue(batch as unknown as Parameters<typeof worker.queue>[0], testEnv);
    return batch.outcomes();
  }

  /**
   * Plays Queues: delivers every message sent (and every immediate retry) until none is left.
   * Messages retried with a delay are returned instead of waited for.
   */
  async function drain(maxRounds = 200): Promise<DrainResult> {
    let pending: Delivery[] = queue.take().map((m) => ({ jobId: m.body.jobId }));
    const delayed: DrainResult["delayed"] = [];
    let delivered = 0;
    for (let round = 0; round < maxRounds && pending.length > 0; round++) {
      // Batches of max_batch_size (wrangler.toml), as Queues would hand them over.
      const batch = pending.slice(0, MAX_BATCH_SIZE);
      pending = pending.slice(MAX_BATCH_SIZE);
      const outcomes = await deliver(batch);
      delivered += batch.length;
      for (const outcome of outcomes) {
        if (outcome.action === "ack") continue;
        if (outcome.delaySeconds === 0)
          pending.push({ jobId: outcome.jobId, attempts: (outcome.attempts ?? 1) + 1 });
        else delayed.push({ jobId: outcome.jobId, delaySeconds: outcome.delaySeconds });
      }
      pending.push(...queue.take().map((m) => ({ jobId: m.body.jobId })));
    }
    return { delivered, delayed };
  }

  async function scheduled(cron = "* * * * *"): Promise<void> {
    const controller = createScheduledController({ scheduledTime: new Date(), cron });
    await worker.scheduled(controller, testEnv);
  }

  async function rows<T>(query: string, ...params: unknown[]): Promise<T[]> {
    const result = await testEnv.DB.prepare(query)
      .bind(...params)
      .all<T>();
    return result.results;
  }

  async function run(query: string, ...params: unknown[]): Promise<void> {
    await testEnv.DB.prepare(query)
      .bind(...params)
      .run();
  }

  return { env: testEnv, queue, fetch, deliver, drain, scheduled, rows, run };
}
