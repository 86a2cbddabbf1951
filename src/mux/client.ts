/**
 * The Mux API as the domain needs it (a port), and its adapter over the official SDK.
 *
 * The adapter hands the SDK a `fetch` that first takes a token from the connection's bucket (its
 * POSTs from a bucket of their own: Mux allows 1 POST/s sustained) and counts the call, so every HTTP request (SDK retries included) is rate-limited and visible, and
 * that bounds what the SDK can read of an answer (`MUX_BODY_BYTES`, errors `ERROR_BODY_BYTES`).
 * SDK errors become our error model: 404 → `null`, 429 → `RetryAfterError`, 401/403 → a
 * non-retryable `UPSTREAM_AUTH` with the troubleshooting text, 5xx and network → retryable.
 */
import Mux from "@mux/mux-node";
import { capResponse, ERROR_BODY_BYTES, readBounded, rebuild } from "../lib/bounded-body";
import { AppError, RetryAfterError } from "../lib/errors";
import type { TokenBucket } from "../lib/token-bucket";
import { isMuxId } from "./ids";
import type { StaticRenditionResolution } from "./rendition-names";
import { type MuxAsset, muxAssetSchema } from "./schemas";
import { answerOfCreateError, type StaticRenditionAnswer } from "./static-rendition-answers";

export type { StaticRenditionAnswer } from "./static-rendition-answers";

export type AssetPage = {
  assets: MuxAsset[];
  nextCursor: string | null;
  /** Listed entries that are not a valid asset (an id that is not a Mux id…), left out: what each was. */
  skipped: string[];
};

export type Whoami = {
  environmentId: string | null;
  environmentName: string | null;
  /** The organization the environment belongs to (the Mux dashboard's URLs name both). */
  organizationId: string | null;
  permissions: string[];
};

export interface MuxApi {
  /** The asset, or null when Mux answers 404 (deleted, or never existed in this environment). */
  retrieveAsset(assetId: string): Promise<MuxAsset | null>;
  /** One page of the asset list (Mux does not document its order; observed newest first). */
  listAssets(params: { limit: number; cursor?: string | null }): Promise<AssetPage>;
  /** Checks the credentials; throws `UPSTREAM_AUTH` when Mux refuses them. */
  whoami(): Promise<Whoami>;
  /**
   * A playback JWT for a signed playback id, of the audience `kind` needs (`video`, the default:
   * `aud: v`, MP4s and text tracks; `thumbnail` `t`, `storyboard` `s`, `gif` `g`); requires the
   * connection's signing key.
   */
  signPlaybackId(playbackId: string, expiresInSeconds: number, kind?: PlaybackTokenKind): Promise<string>;
  /**
   * Asks Mux to make one static rendition (`POST …/static-renditions`), tagged with `passthrough`.
   * Mux's answer, whatever it is (made, already defined, 403, refused); a 429 throws
   * `RetryAfterError`, a 5xx or no answer a retryable `UPSTREAM`.
   */
  createStaticRendition(
    assetId: string,
    resolution: StaticRenditionResolution,
    passthrough: string,
  ): Promise<StaticRenditionAnswer>;
  /** Deletes one static rendition; `gone` when Mux answers 404 (deleted already, or the asset). */
  deleteStaticRendition(assetId: string, renditionId: string): Promise<"deleted" | "gone">;
}

/** The SDK's names for the token audiences the hand-off uses (mux-facts §5.3). */
export const PLAYBACK_TOKEN_KINDS = ["video", "thumbnail", "storyboard", "gif"] as const;
export type PlaybackTokenKind = (typeof PLAYBACK_TOKEN_KINDS)[number];

export type MuxCredentials = {
  tokenId: string;
  tokenSecret: string;
  signingKeyId?: string | null;
  signingPrivateKey?: string | null;
};

export type MuxClientOptions = {
  baseUrl: string;
  credentials: MuxCredentials;
  bucket?: TokenBucket;
  /** Taken by every POST instead of `bucket` (Mux limits POSTs to 1/s sustained). */
  writeBucket?: TokenBucket;
  /**
   * Called once per HTTP request sent to Mux, with its status (0 for a network failure); an
   * answer it returns a promise for (a 429 being counted) waits for it.
   */
  onRequest?: (status: number) => void | Promise<void>;
  maxRetries: number;
  timeoutMs: number;
  fetch: typeof fetch;
};

/** Mux's documented sustained limit for GETs, per environment (mux-facts §4.5). */
export const MUX_GETS_PER_SECOND = 5;
/** Mux's documented sustained limit for POSTs (mux-facts §4.5), and the short burst taken above it. */
export const MUX_POSTS_PER_SECOND = 1;
export const MUX_POST_BURST = 3;
/** The SDK's defaults, kept for the jobs (which retry on their own as well). */
export const DEFAULT_MUX_MAX_RETRIES = 2;
export const DEFAULT_MUX_TIMEOUT_MS = 30_000;

/** The largest successful answer read from Mux: a page of 100 assets is well under 1 MiB. */
export const MUX_BODY_BYTES = 8 * 1024 * 1024;

export const AUTH_HELP = "check the token ID and secret, and that the token has Mux Video Read permission";
export const WRITE_HELP = "the access token is read-only: give it Mux Video Read and Write";

export function createMuxApi(options: MuxClientOptions): MuxApi {
  const baseFetch = options.fetch;
  const limitedFetch: typeof fetch = async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    await (method === "POST" ? options.writeBucket : options.bucket)?.take();
    try {
      const response = await baseFetch(input, init);
      await options.onRequest?.(response.status);
      // The SDK reads whole bodies: an error's is cut to a few KiB here (the SDK only quotes
      // it), and a success's is refused past a cap far above any real page of assets.
      if (!response.ok) return rebuild(response, (await readBounded(response, ERROR_BODY_BYTES)).bytes);
      return capResponse(response, MUX_BODY_BYTES, "Mux");
    } catch (err) {
      options.onRequest?.(0);
      throw err;
    }
  };

  const { credentials } = options;
  // Every option is explicit: the SDK would otherwise read MUX_* from process.env, which is
  // absent on Workers and may name another environment under nodejs_compat.
  const sdk = new Mux({
    baseURL: options.baseUrl,
    tokenId: credentials.tokenId,
    tokenSecret: credentials.tokenSecret,
    webhookSecret: null,
    jwtSigningKey: credentials.signingKeyId ?? null,
    jwtPrivateKey: credentials.signingPrivateKey ?? null,
    authorizationToken: null,
    maxRetries: options.maxRetries,
    timeout: options.timeoutMs,
    fetch: limitedFetch,
  });

  return {
    async retrieveAsset(assetId) {
      // The id becomes part of the request path: only a Mux id may.
      if (!isMuxId(assetId))
        throw new AppError("BAD_REQUEST", "Not a Mux asset id", { details: { assetId } });
      try {
        const raw = await sdk.video.assets.retrieve(assetId);
        const parsed = muxAssetSchema.safeParse(raw);
        if (!parsed.success || parsed.data.id !== assetId) {
          throw new AppError("UPSTREAM", `Mux answered something that is not asset ${assetId}`, {
            retryable: true,
            details: {
              problem: parsed.success ? "a different asset id" : parsed.error.message.slice(0, 500),
            },
          });
        }
        return parsed.data;
      } catch (err) {
        if (err instanceof Mux.NotFoundError) return null;
        throw toAppError(err, `retrieving asset ${assetId}`);
      }
    },

    async listAssets({ limit, cursor }) {
      try {
        const page = await sdk.video.assets.list({ limit, ...(cursor ? { cursor } : {}) });
        const assets: MuxAsset[] = [];
        const skipped: string[] = [];
        for (const raw of page.data) {
          const parsed = muxAssetSchema.safeParse(raw);
          if (parsed.success) assets.push(parsed.data);
          else skipped.push(describeListed(raw, parsed.error));
        }
        const nextCursor = (page as unknown as { next_cursor?: string | null }).next_cursor ?? null;
        return { assets, skipped, nextCursor: nextCursor && page.data.length > 0 ? nextCursor : null };
      } catch (err) {
        throw toAppError(err, "listing assets");
      }
    },

    async whoami() {
      try {
        const me = await sdk.system.utilities.whoami();
        return {
          environmentId: me.environment_id ?? null,
          environmentName: me.environment_name ?? null,
          organizationId: me.organization_id ?? null,
          permissions: me.permissions ?? [],
        };
      } catch (err) {
        throw toAppError(err, "checking the access token");
      }
    },

    async signPlaybackId(playbackId, expiresInSeconds, kind = "video") {
      if (!credentials.signingKeyId || !credentials.signingPrivateKey) {
        throw new AppError(
          "CONFIG",
          "Signed playback needs a signing key id and private key on the connection",
        );
      }
      return sdk.jwt.signPlaybackId(playbackId, { type: kind, expiration: `${expiresInSeconds}s` });
    },

    async createStaticRendition(assetId, resolution, passthrough) {
      if (!isMuxId(assetId))
        throw new AppError("BAD_REQUEST", "Not a Mux asset id", { details: { assetId } });
      try {
        const made = await sdk.video.assets.createStaticRendition(assetId, { resolution, passthrough });
        // The id becomes part of a later DELETE's path: only a Mux id may.
        if (!isMuxId(made.id)) {
          throw new AppError(
            "UPSTREAM",
            `Mux answered a static rendition without a valid id for ${assetId}`,
            {
              retryable: true,
            },
          );
        }
        return { kind: "created", id: made.id, name: made.name ?? null, status: made.status ?? null };
      } catch (err) {
        const answer = err instanceof Mux.APIError ? answerOfCreateError(err.status, err.error) : null;
        if (answer) return answer;
        throw toAppError(err, `creating a ${resolution} static rendition of asset ${assetId}`);
      }
    },

    async deleteStaticRendition(assetId, renditionId) {
      if (!isMuxId(assetId) || !isMuxId(renditionId))
        throw new AppError("BAD_REQUEST", "Not a Mux id", { details: { assetId, renditionId } });
      try {
        await sdk.video.assets.deleteStaticRendition(assetId, renditionId);
        return "deleted";
      } catch (err) {
        if (err instanceof Mux.NotFoundError) return "gone";
        if (err instanceof Mux.PermissionDeniedError) {
          throw new AppError(
            "UPSTREAM_AUTH",
            `Mux refused to delete a static rendition (403 Forbidden): ${WRITE_HELP}`,
            {
              cause: err,
              details: { status: 403 },
            },
          );
        }
        throw toAppError(err, `deleting static rendition ${renditionId} of asset ${assetId}`);
      }
    },
  };
}

/** What a refused listing entry was, for the log: its id as JSON (escaped, bounded) and the first problem. */
function describeListed(raw: unknown, error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const id = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
  const issue = error.issues[0];
  const where = issue ? issue.path.map(String).join(".") || "(entry)" : "(entry)";
  return `id ${JSON.stringify(id ?? null)?.slice(0, 100)}: ${where} ${issue?.message ?? "is invalid"}`.slice(
    0,
    300,
  );
}

/** Maps an SDK failure to our error model; `doing` says what we were doing, for the message. */
export function toAppError(err: unknown, doing: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Mux.RateLimitError) {
    return new RetryAfterError(retryAfterMs(err.headers) ?? 1000, `Mux rate limit hit while ${doing}`, {
      cause: err,
    });
  }
  if (err instanceof Mux.AuthenticationError) {
    return new AppError("UPSTREAM_AUTH", `Mux rejected the access token (401 Unauthorized): ${AUTH_HELP}`, {
      cause: err,
      details: { status: 401 },
    });
  }
  if (err instanceof Mux.PermissionDeniedError) {
    return new AppError(
      "UPSTREAM_AUTH",
      "Mux refused the request (403 Forbidden): the access token lacks a permission it needs (Mux Video Read)",
      { cause: err, details: { status: 403 } },
    );
  }
  if (err instanceof Mux.APIConnectionError) {
    return new AppError("UPSTREAM", `Could not reach Mux while ${doing}: ${err.message}`, {
      retryable: true,
      cause: err,
    });
  }
  if (err instanceof Mux.APIError) {
    const status = err.status ?? 0;
    return new AppError("UPSTREAM", `Mux answered ${status} while ${doing}`, {
      retryable: status >= 500 || status === 408 || status === 409,
      cause: err,
      details: { status },
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AppError("UPSTREAM", `Unexpected response from Mux while ${doing}: ${message}`, {
    retryable: true,
    cause: err,
  });
}

function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers?.get("retry-after");
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
