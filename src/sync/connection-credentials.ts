/**
 * Decrypted connection credentials, cached per connection and invalidated by `updated_at`, so
 * the webhook hot path and the jobs never decrypt on every request. It also owns one Mux client
 * (and so one rate-limit bucket) per connection: the poller and the ingest jobs share it.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { connections } from "../db/schema";
import { type Clock, systemClock } from "../lib/clock";
import { AppError } from "../lib/errors";
import type { Redactor } from "../lib/logger";
import type { SecretBox } from "../lib/secret-box";
import { TokenBucket } from "../lib/token-bucket";
import { createMuxApi, type MuxApi, type MuxCredentials } from "../mux/client";

export type ConnectionCredentials = {
  id: string;
  tokenId: string;
  tokenSecret: string;
  webhookSecrets: string[];
  signingKeyId: string | null;
  signingPrivateKey: string | null;
  /** The Mux environment the connection is pinned to (null until first use). */
  environment: MuxEnvironment | null;
  updatedAt: number;
};

export type MuxEnvironment = { id: string; name: string | null };

/** Whether the token still reaches the environment the connection is pinned to. */
export type EnvironmentCheck =
  | { ok: true; environment: MuxEnvironment | null }
  | { ok: false; pinned: MuxEnvironment; actual: MuxEnvironment };

export type MuxApiSettings = {
  baseUrl: string;
  /**
   * Sustained requests per second per connection (Mux: 5 GET/s per environment); `null` sets no
   * client-side limit (Mux's 429 and Retry-After still apply, through the queue).
   */
  ratePerSecond: number | null;
  burst: number;
  /** Sustained POSTs per second per connection (Mux: 1/s, with short bursts); `null`: no client-side limit. */
  writesPerSecond: number | null;
  writeBurst: number;
  /** The SDK's own retries of a failed request. */
  maxRetries: number;
  timeoutMs: number;
};

export type CredentialsCacheOptions = {
  database: Database;
  box: SecretBox;
  clock: Clock;
  redactor: Redactor;
  mux: MuxApiSettings;
  fetch: typeof fetch;
  /** Told about every HTTP request sent to Mux, with its status (0: no answer). */
  onRequest: (status: number) => void | Promise<void>;
};

/** How long a confirmed environment is trusted before `whoami` is asked again. */
const ENVIRONMENT_RECHECK_MS = 5 * 60_000;

/** How long cached credentials are trusted before `updated_at` is read again (other processes may rotate). */
const RECHECK_MS = 5_000;

/**
 * A stored connection whose secrets the SecretBox cannot open: `ENCRYPTION_KEY` (or
 * `encryption.key`) is not the one that sealed them. The connection is unusable until its secrets
 * are supplied again (`PATCH` with every secret) or re-sealed (`mux-ingest rekey`); everything
 * else keeps working, and the webhook path skips it rather than failing.
 */
export class UnopenableCredentialsError extends AppError {
  constructor(
    readonly connectionId: string,
    readonly connectionName: string,
  ) {
    super(
      "CONFLICT",
      `The secrets of connection ${connectionId} (${connectionName}) cannot be opened: ENCRYPTION_KEY is not the key that sealed them. Supply every secret again (PATCH /v1/connections/${connectionId}) or run mux-ingest rekey --from-key <old key>`,
    );
    this.name = "UnopenableCredentialsError";
  }
}

type CacheEntry =
  | {
      credentials: ConnectionCredentials;
      checkedAt: number;
      api?: MuxApi;
      environmentConfirmedAt?: number;
      failure?: undefined;
    }
  | { failure: UnopenableCredentialsError; updatedAt: number; checkedAt: number; credentials?: undefined };

export class ConnectionCredentialsCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly writeBuckets = new Map<string, TokenBucket>();

  constructor(private readonly options: CredentialsCacheOptions) {}

  /**
   * Credentials of one connection; throws NOT_FOUND when it does not exist, and
   * `UnopenableCredentialsError` when its secrets cannot be opened (remembered like credentials,
   * so a stream of webhooks does not retry the decryption on every request).
   */
  async get(connectionId: string): Promise<ConnectionCredentials> {
    const cached = this.entries.get(connectionId);
    const { database, clock, redactor } = this.options;
    const now = clock.now();
    if (cached && now - cached.checkedAt < RECHECK_MS) return settled(cached);
    const row = await database.db.select().from(connections).where(eq(connections.id, connectionId)).get();
    if (!row) {
      this.entries.delete(connectionId);
      throw new AppError("NOT_FOUND", `Connection ${connectionId} does not exist`);
    }
    if (cached && (cached.failure ? cached.updatedAt : cached.credentials.updatedAt) === row.updatedAt) {
      cached.checkedAt = now;
      return settled(cached);
    }
    let credentials: ConnectionCredentials;
    try {
      credentials = await this.open(row);
    } catch (err) {
      if (!(err instanceof UnopenableCredentialsError)) throw err;
      this.entries.set(connectionId, { failure: err, updatedAt: row.updatedAt, checkedAt: now });
      throw err;
    }
    redactor.add(credentials.tokenSecret, credentials.signingPrivateKey, ...credentials.webhookSecrets);
    this.entries.set(connectionId, { credentials, checkedAt: now });
    return credentials;
  }

  private async open(row: typeof connections.$inferSelect): Promise<ConnectionCredentials> {
    const { box } = this.options;
    const unsealed = async (envelope: string) => {
      try {
        return await box.open(envelope);
      } catch {
        throw new UnopenableCredentialsError(row.id, row.name);
      }
    };
    return {
      id: row.id,
      tokenId: row.accessTokenId,
      tokenSecret: await unsealed(row.accessTokenSecret),
      webhookSecrets: row.webhookSecrets ? (JSON.parse(await unsealed(row.webhookSecrets)) as string[]) : [],
      signingKeyId: row.signingKeyId,
      signingPrivateKey: row.signingPrivateKey ? await unsealed(row.signingPrivateKey) : null,
      environment: row.environmentId ? { id: row.environmentId, name: row.environmentName } : null,
      updatedAt: row.updatedAt,
    };
  }

  /** The connections whose secrets cannot be opened (start-up, `/readyz` and the dashboard report them). */
  async unopenable(): Promise<Array<{ id: string; name: string }>> {
    const rows = await this.options.database.db
      .select({ id: connections.id })
      .from(connections)
      .orderBy(asc(connections.createdAt))
      .all();
    const found: Array<{ id: string; name: string }> = [];
    for (const row of rows) {
      try {
        await this.get(row.id);
      } catch (err) {
        if (err instanceof UnopenableCredentialsError)
          found.push({ id: err.connectionId, name: err.connectionName });
        else if (!(err instanceof AppError && err.code === "NOT_FOUND")) throw err;
      }
    }
    return found;
  }

  /** The Mux client for a connection, rebuilt when its credentials change. */
  async api(connectionId: string): Promise<MuxApi> {
    const credentials = await this.get(connectionId);
    const entry = this.entries.get(connectionId);
    if (entry?.credentials && entry.api) return entry.api;
    const api = this.apiFor(credentials, {
      bucket: this.bucket(connectionId),
      writeBucket: this.writeBucket(connectionId),
    });
    if (entry?.credentials) entry.api = api;
    return api;
  }

  /**
   * Asks Mux which environment the token belongs to (at most every few minutes, and again after
   * any change of the credentials) and compares it with the one the connection is pinned to. An
   * unpinned connection is pinned to it here: this is its first successful use.
   */
  async confirmEnvironment(connectionId: string): Promise<EnvironmentCheck> {
    const credentials = await this.get(connectionId);
    const entry = this.entries.get(connectionId);
    const now = this.options.clock.now();
    if (
      entry?.credentials &&
      entry.environmentConfirmedAt !== undefined &&
      now - entry.environmentConfirmedAt < ENVIRONMENT_RECHECK_MS
    )
      return { ok: true, environment: credentials.environment };
    const me = await (await this.api(connectionId)).whoami();
    if (!me.environmentId) return { ok: true, environment: credentials.environment };
    const actual = { id: me.environmentId, name: me.environmentName };
    const pinned = credentials.environment ?? (await this.pin(connectionId, actual));
    if (pinned.id !== actual.id) return { ok: false, pinned, actual };
    credentials.environment = pinned;
    if (entry?.credentials) entry.environmentConfirmedAt = now;
    return { ok: true, environment: pinned };
  }

  /** Pins an unpinned connection (a concurrent pin wins: the stored one is returned). */
  private async pin(connectionId: string, environment: MuxEnvironment): Promise<MuxEnvironment> {
    const { db } = this.options.database;
    await db
      .update(connections)
      .set({ environmentId: environment.id, environmentName: environment.name })
      .where(and(eq(connections.id, connectionId), isNull(connections.environmentId)));
    const row = await db
      .select({ id: connections.environmentId, name: connections.environmentName })
      .from(connections)
      .where(eq(connections.id, connectionId))
      .get();
    return row?.id ? { id: row.id, name: row.name } : environment;
  }

  /**
   * A Mux client for credentials that may not be stored (the connection test), on the same base
   * URL, fetch and request accounting as every other call.
   */
  apiFor(
    credentials: MuxCredentials,
    overrides: {
      bucket?: TokenBucket;
      writeBucket?: TokenBucket;
      maxRetries?: number;
      timeoutMs?: number;
    } = {},
  ): MuxApi {
    const { mux, fetch, onRequest } = this.options;
    return createMuxApi({
      baseUrl: mux.baseUrl,
      credentials,
      bucket: overrides.bucket,
      writeBucket: overrides.writeBucket,
      maxRetries: overrides.maxRetries ?? mux.maxRetries,
      timeoutMs: overrides.timeoutMs ?? mux.timeoutMs,
      fetch,
      onRequest,
    });
  }

  /** Where the Mux API is reached (for messages to people). */
  get baseUrl(): string {
    return this.options.mux.baseUrl;
  }

  /** Forget a connection after a local write, so the next read sees it at once. */
  invalidate(connectionId: string): void {
    this.entries.delete(connectionId);
  }

  private bucket(connectionId: string): TokenBucket | undefined {
    const { ratePerSecond, burst } = this.options.mux;
    return bucketOf(this.buckets, connectionId, ratePerSecond, burst);
  }

  private writeBucket(connectionId: string): TokenBucket | undefined {
    const { writesPerSecond, writeBurst } = this.options.mux;
    return bucketOf(this.writeBuckets, connectionId, writesPerSecond, writeBurst);
  }
}

/** The connection's bucket in `buckets`, made on first use; none without a rate. */
function bucketOf(
  buckets: Map<string, TokenBucket>,
  connectionId: string,
  rate: number | null,
  burst: number,
): TokenBucket | undefined {
  if (rate === null) return undefined;
  let bucket = buckets.get(connectionId);
  if (!bucket) {
    // Real time, whatever clock the domain runs on: the limit is Mux's, in wall-clock seconds.
    bucket = new TokenBucket(rate, burst, systemClock);
    buckets.set(connectionId, bucket);
  }
  return bucket;
}

function settled(entry: CacheEntry): ConnectionCredentials {
  if (entry.failure) throw entry.failure;
  return entry.credentials;
}
