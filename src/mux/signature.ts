/**
 * Verification of Mux's `Mux-Signature: t=<unix s>,v1=<hex>` header: HMAC-SHA256 over
 * `"{t}.{raw body}"`, lowercase hex. Same algorithm as `@mux/mux-node`'s `webhooks.verifySignature`,
 * which we cannot call as is, because it
 * - accepts timestamps in the future without limit (a captured request could be replayed later),
 * - rejects a space after the comma,
 * - takes one secret per call and re-imports the key on every request.
 * This one is pure (the clock and the secrets are parameters), Web Crypto only (runs on Workers),
 * accepts any of several secrets (rotation) and any of several `v1` values.
 */
import { constantTimeEqual } from "../lib/constant-time";
import { AppError } from "../lib/errors";

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** What a signature that matches none of the secrets is told. */
export const MISMATCH_MESSAGE = "No Mux-Signature v1 value matches the payload";

export type SignatureFailure =
  | "missing_header"
  | "malformed_header"
  | "no_v1"
  | "mismatch"
  | "too_old"
  | "too_new";

export class WebhookSignatureError extends AppError {
  readonly reason: SignatureFailure;
  constructor(reason: SignatureFailure, message: string) {
    super("UNAUTHORIZED", message, { details: { reason } });
    this.name = "WebhookSignatureError";
    this.reason = reason;
  }
}

export type ParsedSignatureHeader = { timestamp: number; signatures: string[] };

export function parseSignatureHeader(header: string | null | undefined): ParsedSignatureHeader {
  if (!header) throw new WebhookSignatureError("missing_header", "Missing Mux-Signature header");
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null) {
    throw new WebhookSignatureError("malformed_header", "Mux-Signature header has no valid t= timestamp");
  }
  if (signatures.length === 0) {
    throw new WebhookSignatureError("no_v1", "Mux-Signature header has no v1 signature");
  }
  return { timestamp, signatures };
}

/** HMAC-SHA256 as lowercase hex: a port, so Node can use node:crypto (synchronous, several times faster) and Workers Web Crypto. */
export interface HmacSha256 {
  /**
   * The HMAC of the message made of `parts`, each as its UTF-8 bytes, one after the other: the
   * caller need not join a signed payload's prefix to a body of kilobytes to have it hashed.
   */
  hex(secret: string, ...parts: string[]): Promise<string>;
}

/** The portable implementation; imports each key once (owned by whoever verifies, no global cache). */
export class WebCryptoHmac implements HmacSha256 {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  async hex(secret: string, ...parts: string[]): Promise<string> {
    let key = this.keys.get(secret);
    if (!key) {
      key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
      this.keys.set(secret, key);
    }
    return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", await key, utf8Of(parts))));
  }
}

function utf8Of(parts: readonly string[]): Uint8Array<ArrayBuffer> {
  if (parts.length === 1) return encoder.encode(parts[0]);
  const encoded = parts.map((part) => encoder.encode(part));
  const bytes = new Uint8Array(encoded.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of encoded) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

const encoder = new TextEncoder();

export type VerifyInput = {
  rawBody: string;
  header: string | null | undefined;
  secrets: readonly string[];
  /** Seconds since the epoch. */
  nowSeconds: number;
  toleranceSeconds?: number;
  hmac?: HmacSha256;
};

/**
 * Resolves with the index of the secret that matched; throws `WebhookSignatureError` otherwise.
 * The signature is checked before the timestamp, so an unsigned request learns nothing about
 * our clock.
 */
export async function verifyMuxSignature(input: VerifyInput): Promise<number> {
  const { timestamp, signatures } = parseSignatureHeader(input.header);
  const hmac = input.hmac ?? new WebCryptoHmac();
  // Mux signs `${timestamp}.${body}`.
  const prefix = `${timestamp}.`;
  let matched = -1;
  for (let i = 0; i < input.secrets.length && matched < 0; i++) {
    const secret = input.secrets[i];
    if (!secret) continue;
    const expected = await hmac.hex(secret, prefix, input.rawBody);
    if (signatures.some((candidate) => constantTimeEqual(candidate, expected))) matched = i;
  }
  if (matched < 0) {
    throw new WebhookSignatureError("mismatch", MISMATCH_MESSAGE);
  }
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const age = input.nowSeconds - timestamp;
  if (age > tolerance) {
    throw new WebhookSignatureError(
      "too_old",
      `Webhook timestamp is ${age} s old (tolerance ${tolerance} s)`,
    );
  }
  if (-age > tolerance) {
    throw new WebhookSignatureError(
      "too_new",
      `Webhook timestamp is ${-age} s in the future (tolerance ${tolerance} s)`,
    );
  }
  return matched;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
