/**
 * Delivers webhook events the way Mux does: signed POSTs, retried with growing delays on a
 * non-2xx, a network error or a timeout, then abandoned. Faults are injected here: drops,
 * duplicates (same event id) and random delays that reorder events.
 *
 * Nothing here runs by itself: `deliverDue` is called by the fake's ticker (autoAdvance) or by
 * the test through `flush` / `advance`, so API requests are never blocked behind deliveries.
 */
import type { Clock } from "../lib/clock";
import type { Random } from "./random";
import { seededUuid } from "./random";
import { SortedQueue } from "./sorted-queue";
import type { FakeMuxStats, FaultOptions, WebhookAttempt, WebhookEnvelope } from "./types";
import { importHmacKey, muxSignatureHeader } from "./webhook-signature";

export type DispatcherOptions = {
  clock: Clock;
  random: Random;
  stats: FakeMuxStats;
  secret: string;
  url: string | null;
  faults: FaultOptions;
  retryDelaysMs: number[];
  timeoutMs: number;
  concurrency: number;
  fetch: typeof fetch;
};

type Delivery = {
  seq: number;
  event: WebhookEnvelope;
  url: string;
  dueAt: number;
  /** Whether the next attempt is a retry, which `flush` does not hurry. */
  isRetry: boolean;
  attempts: WebhookAttempt[];
};

export const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
const DEFAULT_REORDER_DELAY_MS = 1000;

export class WebhookDispatcher {
  private readonly queue = new SortedQueue<Delivery>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextSeq = 1;
  private readonly webhookId: string;
  private readonly signingKey: Promise<CryptoKey>;

  constructor(private readonly options: DispatcherOptions) {
    this.webhookId = String(options.random.int(10_000, 99_999));
    this.signingKey = importHmacKey(options.secret);
  }

  setUrl(url: string | null): void {
    this.options.url = url;
  }

  setFaults(faults: FaultOptions): void {
    this.options.faults = faults;
  }

  pendingCount(): number {
    return this.queue.length + this.inFlight.size;
  }

  clear(): void {
    this.queue.clear();
  }

  /** Queues an event, applying drop / duplicate / delay faults. */
  enqueue(event: WebhookEnvelope): void {
    const { url, faults, random, stats, clock } = this.options;
    stats.webhooks.emitted++;
    if (!url) {
      stats.webhooks.unrouted++;
      return;
    }
    if (random.chance(faults.dropRate ?? 0)) {
      stats.webhooks.dropped++;
      return;
    }
    const copies = random.chance(faults.duplicateRate ?? 0) ? 2 : 1;
    if (copies === 2) stats.webhooks.duplicated++;
    for (let i = 0; i < copies; i++) {
      this.queue.push({
        seq: this.nextSeq++,
        event,
        url,
        dueAt: clock.now() + this.injectedDelay(),
        isRetry: false,
        attempts: [],
      });
    }
  }

  private injectedDelay(): number {
    const { faults, random } = this.options;
    const max = faults.maxDelayMs ?? (faults.reorder ? DEFAULT_REORDER_DELAY_MS : 0);
    return max > 0 ? Math.floor(random.next() * max) : 0;
  }

  /** Starts the deliveries that are due, up to the concurrency limit (autoAdvance). */
  startDue(): void {
    const now = this.options.clock.now();
    while (this.inFlight.size < this.options.concurrency) {
      const next = this.takeNext((d) => d.dueAt <= now);
      if (!next) return;
      const running: Promise<void> = this.attempt(next).finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }
  }

  /**
   * Delivers, one after another in due order, every first attempt (ignoring injected delays,
   * whose order is kept) and every retry whose time has come. A retry scheduled by a failure
   * during the flush waits for its own time.
   */
  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
    const now = this.options.clock.now();
    const eligible = (d: Delivery): boolean => !d.isRetry || d.dueAt <= now;
    for (let next = this.takeNext(eligible); next; next = this.takeNext(eligible)) {
      await this.attempt(next);
    }
  }

  /** Delivers, one after another, what is due now (`advance` with a manual clock). */
  async deliverDue(): Promise<void> {
    await Promise.all(this.inFlight);
    const now = this.options.clock.now();
    for (let next = this.takeNext((d) => d.dueAt <= now); next; next = this.takeNext((d) => d.dueAt <= now)) {
      await this.attempt(next);
    }
  }

  /** Waits for the deliveries already started. */
  async idle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private takeNext(eligible: (d: Delivery) => boolean): Delivery | undefined {
    return this.queue.takeFirst(eligible);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { clock, stats, retryDelaysMs, timeoutMs, random } = this.options;
    const body = JSON.stringify({ ...delivery.event, attempts: delivery.attempts });
    const signature = await muxSignatureHeader(await this.signingKey, body, Math.floor(clock.now() / 1000));
    stats.webhooks.sent++;
    let status: number | null = null;
    let responseBody: string | null = null;
    try {
      const response = await this.options.fetch(delivery.url, {
        method: "POST",
        headers: { "content-type": "application/json", "mux-signature": signature, "user-agent": "Mux/1.0" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      responseBody = (await response.text()).slice(0, 1000);
    } catch (err) {
      responseBody = err instanceof Error ? err.message : String(err);
    }
    if (status !== null && status >= 200 && status < 300) {
      stats.webhooks.delivered++;
      return;
    }
    stats.webhooks.failed++;
    const attempt: WebhookAttempt = {
      id: seededUuid(random),
      address: delivery.url,
      created_at: new Date(clock.now()).toISOString(),
      max_attempts: retryDelaysMs.length + 1,
      response_status_code: status,
      response_body: responseBody,
      response_headers: {},
      webhook_id: this.webhookId,
    };
    const attempts = [...delivery.attempts, attempt];
    const delay = retryDelaysMs[delivery.attempts.length];
    if (delay === undefined) {
      stats.webhooks.gaveUp++;
      return;
    }
    stats.webhooks.retried++;
    this.queue.push({
      ...delivery,
      seq: this.nextSeq++,
      attempts,
      dueAt: clock.now() + delay,
      isRetry: true,
    });
  }
}
