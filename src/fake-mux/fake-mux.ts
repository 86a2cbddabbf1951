/**
 * `createFakeMux`: an in-memory Mux with its HTTP surface, driven either by a test's clock
 * (`advance`, `settle`, `webhooks.flush`) or, with `autoAdvance`, by real timers. It holds one
 * environment from its options and as many more as `addEnvironment` adds.
 */
import { type Clock, systemClock } from "../lib/clock";
import { createFakeMuxFetch } from "./app";
import { ALL_PERMISSIONS, type FakeMuxCore } from "./core";
import { environmentHandle, type FakeMuxEnvironment } from "./environment-handle";
import { DEFAULT_LISTING } from "./listing";
import { muxId, seededRandom } from "./random";
import { generateSigningKey } from "./signing-key";
import { resetStats, snapshotStats } from "./stats";
import type { EnvironmentOptions, FakeMuxOptions, FakeMuxStats } from "./types";
import { DEFAULT_RETRY_DELAYS_MS } from "./webhook-dispatcher";
import { FakeMuxWorld } from "./world";

/** Default credentials, so tests and the demo agree without configuration. */
export const DEFAULT_TOKEN_ID = "8c3f6b1e-2d4a-4f7b-9e1c-5a6d7e8f9a0b";
export const DEFAULT_TOKEN_SECRET = "fake-mux-token-secret-0123456789abcdef";
export const DEFAULT_WEBHOOK_SECRET = "fake-mux-webhook-secret";
export const DEFAULT_ENVIRONMENT = { id: "fk3nv1", name: "Fake Development" };
export const DEFAULT_READY_AFTER_MS = 2000;
export const DEFAULT_RENDITIONS_AFTER_MS = 3000;
export const DEFAULT_RENDITION_STAGGER_MS = 1000;
export const DEFAULT_SPONTANEOUS_UPDATE_AFTER_MS = 500;
export const DEFAULT_CAPTIONS_AFTER_MS = 4000;
export const DEFAULT_RATE_LIMIT = { perSecond: 5, burst: 10 };
/** Mux: POSTs at 1/s sustained, "with the ability to burst above this for short periods". */
export const DEFAULT_WRITE_RATE_LIMIT = { perSecond: 1, burst: 5 };

/** The fake itself: the handle on its first environment, plus what is shared by all. */
export interface FakeMux extends FakeMuxEnvironment {
  /** The REST API, `/stream/…` (MP4s, text tracks), `/image/…` and the `/_fake` control API. */
  fetch(request: Request): Promise<Response>;
  /** Adds an environment with its own tokens, library and webhooks; returns its handle. */
  addEnvironment(options: EnvironmentOptions): FakeMuxEnvironment;
  /** An environment's handle by id (the first one's is the fake itself). */
  getEnvironment(id: string): FakeMuxEnvironment | undefined;
  /** Every environment's handle, the first one first. */
  environments(): FakeMuxEnvironment[];
  stats(): FakeMuxStats;
  resetStats(): void;
  /** Forgets every environment's assets and events, and the counters (credentials and keys stay). */
  reset(): void;
  readonly clock: Clock;
  setFaults(faults: NonNullable<FakeMuxOptions["faults"]>): void;
  /** The GET limit of every environment. */
  setRateLimit(limit: FakeMuxOptions["rateLimit"]): void;
  /** The POST limit of every environment (`null` lifts it). */
  setWriteRateLimit(limit: FakeMuxOptions["writeRateLimit"]): void;
  /** Stops the timers and waits for deliveries in flight. */
  close(): Promise<void>;
}

export function createFakeMux(options: FakeMuxOptions = {}): FakeMux {
  const seed = options.seed ?? 1;
  const clock = options.clock ?? systemClock;
  const signingKey = options.signingKey ?? generateSigningKey(muxId(seededRandom(seed ^ 0x3c6ef372), 44));
  const lifecycle = options.lifecycle;

  const world = new FakeMuxWorld({
    clock,
    seed,
    lifecycle: {
      readyAfterMs: lifecycle?.readyAfterMs ?? DEFAULT_READY_AFTER_MS,
      renditionsAfterMs: lifecycle?.renditionsAfterMs ?? DEFAULT_RENDITIONS_AFTER_MS,
      renditionStaggerMs: lifecycle?.renditionStaggerMs ?? DEFAULT_RENDITION_STAGGER_MS,
      renditionOrder: lifecycle?.renditionOrder ?? "smallest-first",
      spontaneousUpdateRate: lifecycle?.spontaneousUpdateRate ?? 0,
      spontaneousUpdateAfterMs: lifecycle?.spontaneousUpdateAfterMs ?? DEFAULT_SPONTANEOUS_UPDATE_AFTER_MS,
      captionsAfterMs: lifecycle?.captionsAfterMs ?? DEFAULT_CAPTIONS_AFTER_MS,
    },
    faults: { ...options.faults },
    rateLimit: options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit,
    writeRateLimit:
      options.writeRateLimit !== undefined
        ? options.writeRateLimit
        : options.rateLimit === null
          ? null
          : DEFAULT_WRITE_RATE_LIMIT,
    dispatcher: {
      retryDelaysMs: options.webhooks?.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      timeoutMs: options.webhooks?.timeoutMs ?? 5000,
      concurrency: options.webhooks?.concurrency ?? 4,
      // Looked up at call time, so msw (which patches globalThis.fetch) sees the POSTs.
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    },
  });
  const first = world.addEnvironment({
    seed,
    environment: options.environment ?? DEFAULT_ENVIRONMENT,
    tokens: [
      {
        id: options.tokenId ?? DEFAULT_TOKEN_ID,
        secret: options.tokenSecret ?? DEFAULT_TOKEN_SECRET,
        name: "fake-mux",
        permissions: options.permissions ?? ALL_PERMISSIONS,
      },
    ],
    signingKey,
    listing: { ...DEFAULT_LISTING, shuffleSeed: seed, ...options.listing },
    webhook: { secret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET, url: options.webhookUrl ?? null },
  });

  const handles = new Map<FakeMuxCore, FakeMuxEnvironment>();
  const handleOf = (env: FakeMuxCore): FakeMuxEnvironment => {
    let handle = handles.get(env);
    if (!handle) {
      handle = environmentHandle(world, env, seed);
      handles.set(env, handle);
    }
    return handle;
  };

  let ticker: ReturnType<typeof setInterval> | null = null;
  if (options.autoAdvance) {
    ticker = setInterval(() => {
      world.catchUp();
      world.startDueDeliveries();
    }, options.tickMs ?? 20);
    ticker.unref?.();
  }

  const fake: FakeMux = {
    ...environmentHandle(world, first, seed),
    fetch: createFakeMuxFetch(world),
    webhooks: {
      flush: () => world.flushWebhooks(),
      pendingCount: () => world.pendingWebhooks(),
    },
    addEnvironment: (environment) => handleOf(world.addEnvironmentFrom(environment)),
    getEnvironment: (id) => {
      const env = world.environment(id);
      return env && handleOf(env);
    },
    environments: () => world.allEnvironments().map(handleOf),
    stats: () => snapshotStats(world.stats),
    resetStats: () => resetStats(world.stats),
    reset: () => world.reset(),
    clock,
    setFaults: (next) => world.setFaults({ ...next }),
    setRateLimit: (limit) => world.setRateLimit(limit ?? null),
    setWriteRateLimit: (limit) => world.setWriteRateLimit(limit ?? null),
    close: async () => {
      if (ticker) clearInterval(ticker);
      ticker = null;
      await world.idle();
    },
  };
  handles.set(first, fake);
  return fake;
}
