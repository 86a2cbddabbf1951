/**
 * The whole fake: one or more Mux environments (core.ts) on one clock, with one set of counters
 * and faults. A token authenticates against its own environment only; playback ids are global,
 * as on Mux, so the stream host finds an asset in any environment. Time is shared: `settle` and
 * `advance` run every environment's lifecycle and deliver every environment's webhooks.
 */
import type { Clock } from "../lib/clock";
import type { AssetRecord } from "./asset-record";
import { ALL_PERMISSIONS, type EnvironmentConfig, FakeMuxCore, type SharedParts } from "./core";
import type { Random } from "./random";
import { hashString, seededRandom } from "./random";
import { SpecError } from "./spec-error";
import { emptyStats, resetStats } from "./stats";
import type {
  AccessToken,
  EnvironmentOptions,
  FaultOptions,
  PlaybackPolicy,
  RateLimitOptions,
} from "./types";

export type WorldOptions = Omit<SharedParts, "stats" | "isTaken"> & { seed: number };

export type Authenticated = { env: FakeMuxCore; token: AccessToken };

export class FakeMuxWorld {
  readonly clock: Clock;
  readonly stats = emptyStats();
  private readonly shared: SharedParts;
  private readonly environments: FakeMuxCore[] = [];
  private readonly faultRandom: Random;
  private readonly seed: number;

  constructor(options: WorldOptions) {
    const { seed, ...shared } = options;
    this.seed = seed;
    this.clock = options.clock;
    this.shared = { ...shared, stats: this.stats, isTaken: (id) => this.isTaken(id) };
    this.faultRandom = seededRandom(seed ^ 0x27d4eb2f);
  }

  get faults(): FaultOptions {
    return this.shared.faults;
  }

  /** Adds an environment; its id and its tokens' ids must be new to the fake. */
  addEnvironment(config: EnvironmentConfig): FakeMuxCore {
    if (this.environment(config.environment.id)) {
      throw new SpecError(`environment ${config.environment.id} already exists`);
    }
    for (const token of config.tokens) {
      if (this.environments.some((e) => e.hasTokenId(token.id))) {
        throw new SpecError(`access token ${token.id} already belongs to an environment`);
      }
    }
    const env = new FakeMuxCore(config, this.shared);
    this.environments.push(env);
    return env;
  }

  /**
   * A further environment from its options: seeded from the fake's seed and its id, sharing
   * the first environment's signing key and listing unless given its own.
   */
  addEnvironmentFrom(options: EnvironmentOptions): FakeMuxCore {
    const first = this.defaultEnvironment;
    const { listing } = options;
    return this.addEnvironment({
      seed: (this.seed ^ hashString(options.id)) >>> 0,
      environment: { id: options.id, name: options.name },
      tokens: [
        {
          id: options.tokenId,
          secret: options.tokenSecret,
          name: `${options.name} token`,
          permissions: options.permissions ?? ALL_PERMISSIONS,
        },
      ],
      signingKey: options.signingKey ?? first.signingKey,
      listing: { ...first.listing, ...listing },
      webhook: { secret: options.webhookSecret, url: options.webhookUrl ?? null },
    });
  }

  /** The first environment: the one `createFakeMux`'s own options describe. */
  get defaultEnvironment(): FakeMuxCore {
    const first = this.environments[0];
    if (!first) throw new Error("the fake has no environment");
    return first;
  }

  environment(id: string): FakeMuxCore | undefined {
    return this.environments.find((e) => e.environment.id === id);
  }

  allEnvironments(): FakeMuxCore[] {
    return [...this.environments];
  }

  /** Runs the lifecycle steps that time has made due, everywhere; called before every request. */
  catchUp(): void {
    for (const env of this.environments) env.catchUp();
  }

  /** Whether to fail this request with an injected 5xx (seeded). */
  injectFault(): boolean {
    return this.faultRandom.chance(this.shared.faults.errorRate ?? 0);
  }

  setFaults(faults: FaultOptions): void {
    this.shared.faults = faults;
    for (const env of this.environments) env.setFaults(faults);
  }

  /** The GET limit of every environment (each has its own bucket, as on Mux since 2026). */
  setRateLimit(limit: RateLimitOptions | null): void {
    this.shared.rateLimit = limit;
    for (const env of this.environments) env.limiter.configure(limit);
  }

  /** The POST limit of every environment. */
  setWriteRateLimit(limit: RateLimitOptions | null): void {
    this.shared.writeRateLimit = limit;
    for (const env of this.environments) env.writeLimiter.configure(limit);
  }

  /** Basic auth: the token and the environment it belongs to, or null (a 401). */
  authenticate(authorization: string | undefined): Authenticated | null {
    const match = /^Basic\s+(.+)$/i.exec(authorization ?? "");
    if (!match?.[1]) return null;
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon === -1) return null;
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    for (const env of this.environments) {
      const token = env.findToken(id, secret);
      if (token) return { env, token };
    }
    return null;
  }

  /** A playback id in any environment. */
  byPlayback(
    playbackId: string,
  ): { env: FakeMuxCore; record: AssetRecord; policy: PlaybackPolicy } | undefined {
    for (const env of this.environments) {
      const found = env.store.byPlayback(playbackId);
      if (found) return { env, ...found };
    }
    return undefined;
  }

  isTaken(id: string): boolean {
    return this.environments.some((e) => e.store.has(id));
  }

  /** Completes every pending lifecycle step now, then delivers the webhooks they produced. */
  async settle(): Promise<void> {
    for (const env of this.environments) env.lifecycle.runAll();
    await this.flushWebhooks();
  }

  /** Moves a manual clock forward, runs what became due and delivers the webhooks now due. */
  async advance(ms: number): Promise<void> {
    const clock = this.clock as Clock & { advance?: (ms: number) => void };
    if (typeof clock.advance !== "function") {
      throw new SpecError("advance() needs a clock with an advance(ms) method, such as ManualClock");
    }
    clock.advance(ms);
    this.catchUp();
    for (const env of this.environments) await env.dispatcher.deliverDue();
  }

  async flushWebhooks(): Promise<void> {
    for (const env of this.environments) await env.dispatcher.flush();
  }

  /** Starts the deliveries that are due (autoAdvance). */
  startDueDeliveries(): void {
    for (const env of this.environments) env.dispatcher.startDue();
  }

  pendingWebhooks(): number {
    return this.environments.reduce((n, env) => n + env.dispatcher.pendingCount(), 0);
  }

  pendingLifecycleSteps(): number {
    return this.environments.reduce((n, env) => n + env.lifecycle.pendingCount(), 0);
  }

  async idle(): Promise<void> {
    await Promise.all(this.environments.map((env) => env.dispatcher.idle()));
  }

  /** Forgets every environment's assets and events, and every counter; keeps the environments. */
  reset(): void {
    for (const env of this.environments) env.reset();
    resetStats(this.stats);
  }
}
