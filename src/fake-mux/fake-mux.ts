/**
 * `createFakeMux`: an in-memory Mux environment with its HTTP surface, driven either by a test's
 * clock (`advance`, `settle`, `webhooks.flush`) or, with `autoAdvance`, by real timers.
 */
import { type Clock, systemClock } from "../lib/clock";
import type { MuxEventType } from "../mux/events";
import { createFakeMuxFetch } from "./app";
import { ALL_PERMISSIONS, FakeMuxCore } from "./core";
import { muxId, seededRandom } from "./random";
import { generateSigningKey } from "./signing-key";
import { resetStats, snapshotStats } from "./stats";
import type {
  AccessToken,
  AssetSpec,
  FakeAsset,
  FakeMuxOptions,
  FakeMuxStats,
  WebhookEnvelope,
} from "./types";
import { DEFAULT_RETRY_DELAYS_MS } from "./webhook-dispatcher";

/** Default credentials, so tests and the demo agree without configuration. */
export const DEFAULT_TOKEN_ID = "8c3f6b1e-2d4a-4f7b-9e1c-5a6d7e8f9a0b";
export const DEFAULT_TOKEN_SECRET = "fake-mux-token-secret-0123456789abcdef";
export const DEFAULT_WEBHOOK_SECRET = "fake-mux-webhook-secret";
export const DEFAULT_ENVIRONMENT = { id: "fk3nv1", name: "Fake Development" };
export const DEFAULT_READY_AFTER_MS = 2000;
export const DEFAULT_RENDITIONS_AFTER_MS = 3000;
export const DEFAULT_RATE_LIMIT = { perSecond: 5, burst: 10 };

export interface FakeMux {
  /** The REST API, `/stream/{playback_id}/{name}` and the `/_fake` control API. */
  fetch(request: Request): Promise<Response>;
  /** Creates an asset and returns it as REST would show it. */
  createAsset(spec?: AssetSpec): FakeAsset;
  /** Deletes an asset and emits `video.asset.deleted`; unknown ids are ignored. */
  deleteAsset(id: string): void;
  /** Updates `passthrough` / `meta` and emits `video.asset.updated`. */
  updateAsset(id: string, patch: { passthrough?: string; meta?: FakeAsset["meta"] }): FakeAsset | undefined;
  generateLibrary(count: number, seed?: number): FakeAsset[];
  getAsset(id: string): FakeAsset | undefined;
  /** Every asset, newest first, as REST shows them. */
  listAssets(): FakeAsset[];
  /** Emits an event for an asset as it is now (static_rendition.* events name a rendition). */
  fireEvent(assetId: string, type: MuxEventType, renditionName?: string): WebhookEnvelope | undefined;
  /** Every event produced so far (sent, dropped or unrouted), oldest first. */
  eventLog(): WebhookEnvelope[];
  /** Completes every pending lifecycle step now and delivers their webhooks. */
  settle(): Promise<void>;
  /** With a ManualClock: moves time, runs what became due, delivers the webhooks now due. */
  advance(ms: number): Promise<void>;
  webhooks: {
    /** Delivers every queued event now (ignoring injected delays) and the retries that are due. */
    flush(): Promise<void>;
    pendingCount(): number;
  };
  stats(): FakeMuxStats;
  resetStats(): void;
  /** Forgets assets, events and counters (credentials and keys stay). */
  reset(): void;
  signingKey: { id: string; privateKeyBase64: string };
  readonly credentials: { tokenId: string; tokenSecret: string; webhookSecret: string };
  readonly environment: { id: string; name: string };
  readonly clock: Clock;
  setWebhookUrl(url: string | null): void;
  setFaults(faults: NonNullable<FakeMuxOptions["faults"]>): void;
  setRateLimit(limit: FakeMuxOptions["rateLimit"]): void;
  addAccessToken(token: AccessToken): void;
  /** Stops the timers and waits for deliveries in flight. */
  close(): Promise<void>;
}

export function createFakeMux(options: FakeMuxOptions = {}): FakeMux {
  const seed = options.seed ?? 1;
  const clock = options.clock ?? systemClock;
  const tokenId = options.tokenId ?? DEFAULT_TOKEN_ID;
  const tokenSecret = options.tokenSecret ?? DEFAULT_TOKEN_SECRET;
  const webhookSecret = options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const environment = options.environment ?? DEFAULT_ENVIRONMENT;
  const signingKey = options.signingKey ?? generateSigningKey(muxId(seededRandom(seed ^ 0x3c6ef372), 44));
  const faults = { ...options.faults };

  const core = new FakeMuxCore({
    clock,
    seed,
    tokens: [
      {
        id: tokenId,
        secret: tokenSecret,
        name: "fake-mux",
        permissions: options.permissions ?? ALL_PERMISSIONS,
      },
    ],
    environment,
    readyAfterMs: options.lifecycle?.readyAfterMs ?? DEFAULT_READY_AFTER_MS,
    renditionsAfterMs: options.lifecycle?.renditionsAfterMs ?? DEFAULT_RENDITIONS_AFTER_MS,
    faults,
    rateLimit: options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit,
    signingKey,
    dispatcher: {
      secret: webhookSecret,
      url: options.webhookUrl ?? null,
      retryDelaysMs: options.webhooks?.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      timeoutMs: options.webhooks?.timeoutMs ?? 5000,
      concurrency: options.webhooks?.concurrency ?? 4,
      // Looked up at call time, so msw (which patches globalThis.fetch) sees the POSTs.
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    },
  });
  const handle = createFakeMuxFetch(core);

  let ticker: ReturnType<typeof setInterval> | null = null;
  if (options.autoAdvance) {
    ticker = setInterval(() => {
      core.catchUp();
      core.dispatcher.startDue();
    }, options.tickMs ?? 20);
    ticker.unref?.();
  }

  return {
    fetch: handle,
    createAsset: (spec) => core.createAsset(spec),
    deleteAsset: (id) => {
      core.deleteAsset(id);
    },
    updateAsset: (id, patch) => core.updateAsset(id, patch ?? {}),
    generateLibrary: (count, librarySeed) => core.generateLibrary(count, librarySeed ?? seed),
    getAsset: (id) => core.getAsset(id),
    listAssets: () => core.listAssets(),
    fireEvent: (assetId, type, renditionName) => core.fireEvent(assetId, type, renditionName),
    eventLog: () => core.eventLog(),
    settle: () => core.settle(),
    advance: (ms) => core.advance(ms),
    webhooks: {
      flush: () => core.dispatcher.flush(),
      pendingCount: () => core.dispatcher.pendingCount(),
    },
    stats: () => snapshotStats(core.stats),
    resetStats: () => resetStats(core.stats),
    reset: () => core.reset(),
    signingKey,
    credentials: { tokenId, tokenSecret, webhookSecret },
    environment,
    clock,
    setWebhookUrl: (url) => core.setWebhookUrl(url),
    setFaults: (next) => core.setFaults({ ...next }),
    setRateLimit: (limit) => core.setRateLimit(limit ?? null),
    addAccessToken: (token) => core.addAccessToken(token),
    close: async () => {
      if (ticker) clearInterval(ticker);
      ticker = null;
      await core.dispatcher.idle();
    },
  };
}
