/**
 * A hostile pipeline endpoint on a real port for the chaos suite. It verifies every delivery's
 * Standard Webhooks signature with node:crypto (independent of the `standardwebhooks` package that
 * signs them) and records what it *processed*, then misbehaves the way real consumers do:
 *
 * - `errorRate`: answers 5xx before processing (the delivery must be retried);
 * - `lostAnswerRate`: processes the delivery, then drops the connection without answering (the
 *   service sees a network error and retries: the receiver legitimately sees the same id twice);
 * - `hangRate` (at most `maxHangs` times): processes it, then answers only after `hangMs`, longer
 *   than the service's delivery timeout (a real timeout, with the same duplicate consequence).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaosRandom } from "./chaos-random";
import { type ReceivedDelivery, verifyStandardWebhook } from "./pipeline-receiver";

export type PipelineFaults = {
  errorRate: number;
  lostAnswerRate: number;
  hangRate: number;
  maxHangs: number;
  hangMs: number;
};

/** One processed delivery, as the pipeline saw it. */
export type ProcessedDelivery = {
  id: string;
  type: string;
  objectId: string;
  assetId: string;
  renditionName: string | null;
  /** `object.deleted`'s reason. */
  reason: string | null;
  /** The body as received: built at send time, so a retry may carry a fresher signed URL. */
  body: ReceivedDelivery["body"];
  receivedAt: number;
};

export type PipelineCounters = {
  requests: number;
  processed: number;
  forged: number;
  injected5xx: number;
  lostAnswers: number;
  hangs: number;
};

export class ChaosPipeline {
  readonly processed: ProcessedDelivery[] = [];
  readonly counters: PipelineCounters = {
    requests: 0,
    processed: 0,
    forged: 0,
    injected5xx: 0,
    lostAnswers: 0,
    hangs: 0,
  };
  private server: Server | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly secret: string,
    private readonly random: ChaosRandom,
    private readonly faults: PipelineFaults,
  ) {}

  /** Listens on a free loopback port; resolves with the URL to use as PIPELINE_URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Processed deliveries grouped by delivery id. */
  byId(): Map<string, ProcessedDelivery[]> {
    const groups = new Map<string, ProcessedDelivery[]>();
    for (const delivery of this.processed) {
      const group = groups.get(delivery.id) ?? [];
      group.push(delivery);
      groups.set(delivery.id, group);
    }
    return groups;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    const body = await readBody(req);
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === "string" ? value : null;
    };
    const headers = {
      id: header("webhook-id"),
      timestamp: header("webhook-timestamp"),
      signature: header("webhook-signature"),
    };
    if (!verifyStandardWebhook(this.secret, headers, body)) {
      this.counters.forged++;
      res.writeHead(401).end();
      return;
    }
    if (this.random.chance(this.faults.errorRate)) {
      this.counters.injected5xx++;
      res.writeHead(this.random.chance(0.5) ? 500 : 503).end("injected failure");
      return;
    }
    this.record(String(headers.id), body);
    if (this.random.chance(this.faults.lostAnswerRate)) {
      this.counters.lostAnswers++;
      req.socket.destroy();
      return;
    }
    if (this.counters.hangs < this.faults.maxHangs && this.random.chance(this.faults.hangRate)) {
      this.counters.hangs++;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!res.destroyed) res.writeHead(200).end("late");
      }, this.faults.hangMs);
      this.timers.add(timer);
      return;
    }
    res.writeHead(200).end("ok");
  }

  private record(id: string, body: string): void {
    const parsed = JSON.parse(body) as ReceivedDelivery["body"] & {
      data: { source: { asset_id: string }; rendition: { name: string } | null; reason?: string };
    };
    this.counters.processed++;
    this.processed.push({
      id,
      type: parsed.type,
      objectId: parsed.data.object_id,
      assetId: parsed.data.source.asset_id,
      renditionName: parsed.data.rendition?.name ?? null,
      reason: parsed.data.reason ?? null,
      body: parsed,
      receivedAt: Date.now(),
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
