/**
 * A pipeline endpoint for tests that checks Standard Webhooks signatures with node:crypto (an
 * implementation independent of the `standardwebhooks` package that signs them) and records every
 * delivery it accepts.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type ReceivedDelivery = {
  id: string;
  timestamp: number;
  body: { type: string; data: Record<string, unknown> & { object_id: string } };
};

export function verifyStandardWebhook(
  secret: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
): boolean {
  if (!headers.id || !headers.timestamp || !headers.signature) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${headers.id}.${headers.timestamp}.${body}`).digest();
  return headers.signature.split(" ").some((part) => {
    const [version, value] = part.split(",");
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export class PipelineRecorder {
  readonly accepted: ReceivedDelivery[] = [];
  readonly attempts: Array<{ id: string; status: number }> = [];
  rejectedSignatures = 0;
  /** Status to answer for the next deliveries, consumed one per request (then 200). */
  readonly script: number[] = [];

  constructor(private readonly secret: string) {}

  /** Handles one request; returns the status to answer. */
  async handle(request: Request): Promise<number> {
    const body = await request.text();
    const headers = {
      id: request.headers.get("webhook-id"),
      timestamp: request.headers.get("webhook-timestamp"),
      signature: request.headers.get("webhook-signature"),
    };
    if (!verifyStandardWebhook(this.secret, headers, body)) {
      this.rejectedSignatures++;
      return 401;
    }
    const status = this.script.shift() ?? 200;
    this.attempts.push({ id: String(headers.id), status });
    if (status >= 200 && status < 300) {
      this.accepted.push({
        id: String(headers.id),
        timestamp: Number(headers.timestamp),
        body: JSON.parse(body),
      });
    }
    return status;
  }
}
