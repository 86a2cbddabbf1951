/**
 * The in-memory Mux environment: its assets, lifecycle, webhooks, credentials, limits and
 * counters. The HTTP surface (app.ts) and the public handle (fake-mux.ts) sit on top of it.
 */
import type { Clock } from "../lib/clock";
import { isRenditionEvent, type MuxEventType } from "../mux/events";
import { buildRecord, validateSpec } from "./asset-factory";
import type { AssetRecord } from "./asset-record";
import { AssetStore } from "./asset-store";
import { restAssetView } from "./asset-view";
import { librarySpecs } from "./library";
import { type Emit, emitAssetEvent, emitCreated, emitRenditionEvent, Lifecycle } from "./lifecycle";
import type { Random } from "./random";
import { muxId, seededRandom, seededUuid } from "./random";
import { RateLimiter } from "./rate-limiter";
import { planApiFile } from "./renditions";
import { importVerificationKey, type SigningKey } from "./signing-key";
import { emptyStats, resetStats } from "./stats";
import type {
  AccessToken,
  AssetMeta,
  AssetSpec,
  FakeAsset,
  FakeMuxStats,
  FaultOptions,
  RateLimitOptions,
  StaticRenditionResolution,
  WebhookEnvelope,
} from "./types";
import { WebhookDispatcher } from "./webhook-dispatcher";
import { buildEnvelope } from "./webhook-envelope";

export const ALL_PERMISSIONS = ["video:read", "video:write", "system:read", "system:write"];
const EVENT_LOG_LIMIT = 10_000;

export type CoreConfig = {
  clock: Clock;
  seed: number;
  tokens: AccessToken[];
  environment: { id: string; name: string };
  readyAfterMs: number;
  renditionsAfterMs: number;
  faults: FaultOptions;
  rateLimit: RateLimitOptions | null;
  signingKey: SigningKey;
  dispatcher: {
    secret: string;
    url: string | null;
    retryDelaysMs: number[];
    timeoutMs: number;
    concurrency: number;
    fetch: typeof fetch;
  };
};

export class SpecError extends Error {}

export class FakeMuxCore {
  readonly clock: Clock;
  readonly store = new AssetStore();
  readonly stats: FakeMuxStats = emptyStats();
  readonly limiter: RateLimiter;
  readonly dispatcher: WebhookDispatcher;
  readonly lifecycle: Lifecycle;
  readonly signingKey: SigningKey;
  readonly environment: { id: string; name: string };
  faults: FaultOptions;
  webhookUrl: string | null;
  private readonly tokens: AccessToken[];
  private idRandom: Random;
  private eventRandom: Random;
  private readonly faultRandom: Random;
  /** Per-asset timing overrides from the spec; `null` = never on its own. */
  private readonly timing = new Map<
    string,
    { readyAfterMs: number | null; renditionsAfterMs: number | null }
  >();
  private events: WebhookEnvelope[] = [];
  private verificationKey: Promise<CryptoKey> | null = null;

  constructor(private readonly config: CoreConfig) {
    this.clock = config.clock;
    this.environment = config.environment;
    this.tokens = config.tokens;
    this.faults = config.faults;
    this.webhookUrl = config.dispatcher.url;
    this.signingKey = config.signingKey;
    // Separate streams, so that (say) a fault decision never shifts the ids of later assets.
    this.idRandom = seededRandom(config.seed);
    this.eventRandom = seededRandom(config.seed ^ 0x5bd1e995);
    this.faultRandom = seededRandom(config.seed ^ 0x27d4eb2f);
    this.limiter = new RateLimiter(config.rateLimit, config.clock);
    this.dispatcher = new WebhookDispatcher({
      ...config.dispatcher,
      clock: config.clock,
      random: seededRandom(config.seed ^ 0x165667b1),
      stats: this.stats,
      faults: config.faults,
    });
    this.lifecycle = new Lifecycle(
      (id) => this.store.get(id),
      this.emit,
      (record) => ({
        renditionsAfterMs: this.timing.get(record.id)?.renditionsAfterMs ?? config.renditionsAfterMs,
      }),
    );
  }

  /** Runs the lifecycle steps that time has made due; called before every request. */
  catchUp(): void {
    this.lifecycle.runDue(this.clock.now());
  }

  /** Whether to fail this request with an injected 5xx (seeded). */
  injectFault(): boolean {
    return this.faultRandom.chance(this.faults.errorRate ?? 0);
  }

  setFaults(faults: FaultOptions): void {
    this.faults = faults;
    this.dispatcher.setFaults(faults);
  }

  authenticate(authorization: string | undefined): AccessToken | null {
    const match = /^Basic\s+(.+)$/i.exec(authorization ?? "");
    if (!match?.[1]) return null;
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon === -1) return null;
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    return this.tokens.find((t) => t.id === id && t.secret === secret) ?? null;
  }

  addAccessToken(token: AccessToken): void {
    this.tokens.push({ permissions: ALL_PERMISSIONS, ...token });
  }

  private readonly emit: Emit = (type, object, data, at) => {
    const event = buildEnvelope({
      id: seededUuid(this.eventRandom),
      type,
      object,
      data,
      environment: this.environment,
      createdAtMs: at,
    });
    this.events.push(event);
    if (this.events.length > EVENT_LOG_LIMIT) this.events = this.events.slice(-EVENT_LOG_LIMIT / 2);
    this.dispatcher.enqueue(event);
  };

  eventLog(): WebhookEnvelope[] {
    return structuredClone(this.events);
  }

  createAsset(spec: AssetSpec = {}, random: Random = this.idRandom, emitEvents = true): FakeAsset {
    this.catchUp();
    const problem = validateSpec(spec);
    if (problem) throw new SpecError(problem);
    if (spec.id && this.store.get(spec.id)) throw new SpecError(`asset ${spec.id} already exists`);
    const now = this.clock.now();
    const record = buildRecord(spec, random, this.store.allocateSeq(), now, (id) => this.store.has(id));
    this.store.add(record);
    this.timing.set(record.id, {
      readyAfterMs: spec.readyAfterMs === undefined ? this.config.readyAfterMs : spec.readyAfterMs,
      renditionsAfterMs:
        spec.renditionsAfterMs === undefined ? this.config.renditionsAfterMs : spec.renditionsAfterMs,
    });
    this.scheduleNext(record, now);
    if (emitEvents && record.status === "preparing") emitCreated(record, this.emit, now);
    return restAssetView(record);
  }

  /** Schedules what a freshly created record waits for. */
  private scheduleNext(record: AssetRecord, now: number): void {
    const timing = this.timing.get(record.id);
    if (record.status === "preparing") {
      if (timing?.readyAfterMs !== null)
        this.lifecycle.schedule(record.id, "finish", now + (timing?.readyAfterMs ?? 0));
      return;
    }
    const waiting =
      record.status === "ready" &&
      (record.flavour.kind === "legacy"
        ? record.flavour.status === "preparing"
        : record.files.some((f) => f.status === "preparing"));
    if (waiting && timing?.renditionsAfterMs !== null) {
      this.lifecycle.schedule(record.id, "renditions", now + (timing?.renditionsAfterMs ?? 0));
    }
  }

  /** The library generator: `count` assets of the realistic mix, deterministic for `seed`. */
  generateLibrary(count: number, seed: number): FakeAsset[] {
    // Salted, so a library with the fake's own seed does not replay createAsset's ids.
    const random = seededRandom(seed ^ 0x4c1b7a3d);
    return librarySpecs(count, random, this.clock.now()).map(({ spec }) => {
      // Assets still processing finish one by one, over up to three times the usual delay.
      const stagger =
        spec.status === "preparing"
          ? { readyAfterMs: Math.round(this.config.readyAfterMs * (1 + 2 * random.next())) }
          : {};
      return this.createAsset({ ...spec, ...stagger }, random, false);
    });
  }

  getAsset(id: string): FakeAsset | undefined {
    this.catchUp();
    const record = this.store.get(id);
    return record ? restAssetView(record) : undefined;
  }

  listAssets(): FakeAsset[] {
    this.catchUp();
    return this.store.all().map(restAssetView);
  }

  /** Deletes an asset (its playback ids stop working) and emits `video.asset.deleted`. */
  deleteAsset(id: string): boolean {
    this.catchUp();
    const record = this.store.remove(id);
    if (!record) return false;
    this.lifecycle.cancel(id);
    this.timing.delete(id);
    emitAssetEvent(record, "video.asset.deleted", this.emit, this.clock.now());
    return true;
  }

  /** PATCH: `passthrough` and `meta`, then `video.asset.updated`. */
  updateAsset(id: string, patch: { passthrough?: string; meta?: AssetMeta }): FakeAsset | undefined {
    this.catchUp();
    const record = this.store.get(id);
    if (!record) return undefined;
    if (patch.passthrough !== undefined) record.passthrough = patch.passthrough;
    if (patch.meta !== undefined) record.meta = { ...record.meta, ...patch.meta };
    emitAssetEvent(record, "video.asset.updated", this.emit, this.clock.now());
    return restAssetView(record);
  }

  /** `POST /video/v1/assets/:id/static-renditions`: one more file, made on the usual timing. */
  addStaticRendition(id: string, resolution: StaticRenditionResolution): Record<string, unknown> | undefined {
    this.catchUp();
    const record = this.store.get(id);
    if (!record) return undefined;
    if (record.flavour.kind === "legacy" && record.flavour.mp4Support !== "none") {
      throw new SpecError("Static renditions cannot be added to an asset with mp4_support enabled");
    }
    if (record.files.some((f) => f.resolution === resolution)) {
      throw new SpecError(`A static rendition with resolution ${resolution} already exists`);
    }
    record.flavour = { kind: "api" };
    const file = {
      ...planApiFile(resolution, record.source, record.stored, record.resolutionTier),
      id: muxId(this.idRandom),
    };
    record.files.push(file);
    const now = this.clock.now();
    emitRenditionEvent(record, file, "video.asset.static_rendition.created", this.emit, now);
    if (record.status === "ready") {
      if (file.outcome === "skipped") {
        file.status = "skipped";
        emitRenditionEvent(record, file, "video.asset.static_rendition.skipped", this.emit, now);
      } else {
        this.lifecycle.schedule(
          record.id,
          "renditions",
          now + (this.timing.get(id)?.renditionsAfterMs ?? this.config.renditionsAfterMs),
        );
      }
    }
    return { id: file.id, type: file.type, ext: file.ext, status: file.status, resolution, name: file.name };
  }

  /**
   * Emits an event for an asset as it is now, whatever its state (tests use this for stale,
   * repeated or unexpected events). `video.asset.static_rendition.*` needs `renditionName`.
   */
  fireEvent(assetId: string, type: MuxEventType, renditionName?: string): WebhookEnvelope | undefined {
    this.catchUp();
    const record = this.store.get(assetId);
    if (!record) return undefined;
    if (isRenditionEvent(type)) {
      const file = record.files.find((f) => f.name === renditionName) ?? record.files[0];
      if (!file) throw new SpecError(`asset ${assetId} has no static rendition to fire ${type} for`);
      emitRenditionEvent(record, file, type, this.emit, this.clock.now());
    } else {
      emitAssetEvent(record, type, this.emit, this.clock.now());
    }
    return this.events.at(-1);
  }

  /** Completes every pending lifecycle step now, then delivers the webhooks they produced. */
  async settle(): Promise<void> {
    this.lifecycle.runAll();
    await this.dispatcher.flush();
  }

  /** Moves a manual clock forward, runs what became due and delivers the webhooks now due. */
  async advance(ms: number): Promise<void> {
    const clock = this.clock as Clock & { advance?: (ms: number) => void };
    if (typeof clock.advance !== "function") {
      throw new SpecError("advance() needs a clock with an advance(ms) method, such as ManualClock");
    }
    clock.advance(ms);
    this.catchUp();
    await this.dispatcher.deliverDue();
  }

  setWebhookUrl(url: string | null): void {
    this.webhookUrl = url;
    this.dispatcher.setUrl(url);
  }

  setRateLimit(limit: RateLimitOptions | null): void {
    this.limiter.configure(limit);
  }

  playbackKey(): Promise<CryptoKey> {
    this.verificationKey ??= importVerificationKey(this.signingKey.privateKeyBase64);
    return this.verificationKey;
  }

  /** Forgets every asset, event and counter; keeps credentials, keys and configuration. */
  reset(): void {
    this.store.clear();
    this.lifecycle.clear();
    this.dispatcher.clear();
    this.timing.clear();
    this.events = [];
    resetStats(this.stats);
    this.limiter.refill();
    this.idRandom = seededRandom(this.config.seed);
    this.eventRandom = seededRandom(this.config.seed ^ 0x5bd1e995);
  }
}
