/**
 * Decrypted connection credentials, cached per connection and invalidated by `updated_at`, so
 * the webhook hot path and the jobs never decrypt on every request. It also owns one Mux client
 * (and so one rate-limit bucket) per connection: the poller and the ingest jobs share it.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { connections } from "../db/schema";
import { type Clock, systemClock } from "../lib/clock";
import { AppError } from "../lib/errors";
import type { Redactor } from "../lib/logger";
import type { SecretBox } from "../lib/secret-box";
import { TokenBucket } from "../lib/token-bucket";
import { createMuxApi, type MuxApi } from "../mux/client";

export type ConnectionCredentials = {
  id: string;
  tokenId: string;
  tokenSecret: string;
  webhookSecrets: string[];
  signingKeyId: string | null;
  signingPrivateKey: string | null;
  updatedAt: number;
};

export type MuxApiFactoryOptions = {
  baseUrl: string;
  /** Sustained GET/s allowed per connection (Mux: 5 per environment). */
  /** `null`: no client-side limit (Mux's 429 + Retry-After still applies, through the queue). */
  ratePerSecond?: number | null;
  burst?: number;
  maxRetries?: number;
  fetch?: typeof fetch;
  onRequest?: (connectionId: string, status: number) => void;
};

/** How long cached credentials are trusted before `updated_at` is read again (other processes may rotate). */
const RECHECK_MS = 5_000;

export class ConnectionCredentialsCache {
  private readonly entries = new Map<
    string,
    { credentials: ConnectionCredentials; checkedAt: number; api?: MuxApi }
  >();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly database: Database,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly mux: MuxApiFactoryOptions,
    private readonly redactor?: Redactor,
  ) {}

  /** Credentials of one connection; throws NOT_FOUND when it does not exist. */
  async get(connectionId: string): Promise<ConnectionCredentials> {
    const cached = this.entries.get(connectionId);
    const now = this.clock.now();
    if (cached && now - cached.checkedAt < RECHECK_MS) return cached.credentials;
    const row = await this.database.db
      .select()
      .from(connections)
      .where(eq(connections.id, connectionId))
      .get();
    if (!row) {
      this.entries.delete(connectionId);
      throw new AppError("NOT_FOUND", `Connection ${connectionId} does not exist`);
    }
    if (cached && cached.credentials.updatedAt === row.updatedAt) {
      cached.checkedAt = now;
      return cached.credentials;
    }
    const credentials: ConnectionCredentials = {
      id: row.id,
      tokenId: row.accessTokenId,
      tokenSecret: await this.box.open(row.accessTokenSecret),
      webhookSecrets: row.webhookSecrets
        ? (JSON.parse(await this.box.open(row.webhookSecrets)) as string[])
        : [],
      signingKeyId: row.signingKeyId,
      signingPrivateKey: row.signingPrivateKey ? await this.box.open(row.signingPrivateKey) : null,
      updatedAt: row.updatedAt,
    };
    this.redactor?.add(credentials.tokenSecret, credentials.signingPrivateKey, ...credentials.webhookSecrets);
    this.entries.set(connectionId, { credentials, checkedAt: now });
    return credentials;
  }

  /** The Mux client for a connection, rebuilt when its credentials change. */
  async api(connectionId: string): Promise<MuxApi> {
    const credentials = await this.get(connectionId);
    const entry = this.entries.get(connectionId);
    if (entry?.api) return entry.api;
    const api = createMuxApi({
      baseUrl: this.mux.baseUrl,
      credentials,
      bucket: this.bucket(connectionId),
      maxRetries: this.mux.maxRetries,
      fetch: this.mux.fetch,
      onRequest: (status) => this.mux.onRequest?.(connectionId, status),
    });
    if (entry) entry.api = api;
    return api;
  }

  /** Forget a connection after a local write, so the next read sees it at once. */
  invalidate(connectionId: string): void {
    this.entries.delete(connectionId);
  }

  private bucket(connectionId: string): TokenBucket | undefined {
    if (this.mux.ratePerSecond === null) return undefined;
    let bucket = this.buckets.get(connectionId);
    if (!bucket) {
      // Real time, whatever clock the domain runs on: the limit is Mux's, in wall-clock seconds.
      bucket = new TokenBucket(this.mux.ratePerSecond ?? 5, this.mux.burst ?? 5, systemClock);
      this.buckets.set(connectionId, bucket);
    }
    return bucket;
  }
}
