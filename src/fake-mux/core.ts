/**
 * One in-memory Mux environment: its assets, lifecycle, webhooks (endpoint, secret, event log),
 * access tokens, signing key, listing and rate limit. The fake holds one or more of them
 * (world.ts), sharing the clock, the counters and the faults; the HTTP surface (app.ts) and the
 * handles (fake-mux.ts, environment-handle.ts) sit on top.
 */
import type { Clock } from "../lib/clock";
import { isRenditionEvent, isTrackEvent, type MuxEventType } from "../mux/events";
import { buildRecord, validateSpec } from "./asset-factory";
import type { AssetRecord } from "./asset-record";
import { AssetStore } from "./asset-store";
import { restAssetView } from "./asset-view";
import { type LibraryOptions, librarySpecs } from "./library";
import {
  type Emit,
  emitAssetEvent,
  emitCreated,
  emitRenditionEvent,
  emitTrackEvent,
  Lifecycle,
  type LifecycleTiming,
} from "./lifecycle";
import type { Listing } from "./listing";
import type { Random } from "./random";
import { muxId, seededRandom, seededUuid } from "./random";
import { RateLimiter } from "./rate-limiter";
import {
  type AssetOps,
  addStaticRendition,
  completeLiveStream,
  deleteStaticRendition,
  setMp4Support,
} from "./rendition-ops";
import { importVerificationKey, type SigningKey } from "./signing-key";
import { SpecError } from "./spec-error";
import { addTextTrack, deleteTextTrack } from "./track-ops";
import type {
  AccessToken,
  AssetMeta,
  AssetSpec,
  FakeAsset,
  FakeMuxStats,
  FakeTrack,
  FaultOptions,
  ListingOptions,
  Mp4Support,
  RateLimitOptions,
  RenditionOrder,
  StaticRenditionResolution,
  TextTrackSpec,
  WebhookEnvelope,
} from "./types";
import { WebhookDispatcher } from "./webhook-dispatcher";
import { buildEnvelope } from "./webhook-envelope";

export const ALL_PERMISSIONS = ["video:read", "video:write", "system:read", "system:write"];
const EVENT_LOG_LIMIT = 10_000;

/** The lifecycle timing every asset gets unless its spec says otherwise. */
export type LifecycleDefaults = {
  readyAfterMs: number;
  renditionsAfterMs: number;
  renditionStaggerMs: number;
  renditionOrder: RenditionOrder;
  spontaneousUpdateRate: number;
  spontaneousUpdateAfterMs: number;
  captionsAfterMs: number;
};

/** What every environment of one fake shares. */
export type SharedParts = {
  clock: Clock;
  stats: FakeMuxStats;
  lifecycle: LifecycleDefaults;
  faults: FaultOptions;
  rateLimit: RateLimitOptions | null;
  writeRateLimit: RateLimitOptions | null;
  dispatcher: { retryDelaysMs: number[]; timeoutMs: number; concurrency: number; fetch: typeof fetch };
  /** Whether an asset or playback id is taken in any environment (playback ids are global on Mux). */
  isTaken(id: string): boolean;
};

export type EnvironmentConfig = {
  seed: number;
  environment: { id: string; name: string };
  tokens: AccessToken[];
  signingKey: SigningKey;
  listing: Listing;
  webhook: { secret: string; url: string | null };
};

/** One asset's timing: the lifecycle's, and when it becomes ready (`null`: never on its own). */
type AssetTiming = LifecycleTiming & { readyAfterMs: number | null };

export class FakeMuxCore {
  readonly clock: Clock;
  readonly store = new AssetStore();
  readonly stats: FakeMuxStats;
  readonly limiter: RateLimiter;
  /** POSTs have their own, lower limit (Mux: 1/s sustained). */
  readonly writeLimiter: RateLimiter;
  readonly dispatcher: WebhookDispatcher;
  readonly lifecycle: Lifecycle;
  readonly signingKey: SigningKey;
  readonly environment: { id: string; name: string };
  readonly webhookSecret: string;
  webhookUrl: string | null;
  listing: Listing;
  private readonly tokens: AccessToken[];
  private readonly defaults: LifecycleDefaults;
  private idRandom: Random;
  private eventRandom: Random;
  private updateRandom: Random;
  /** Per-asset timing, from the spec or the defaults; `null` = never on its own. */
  private readonly timing = new Map<string, AssetTiming>();
  private events: WebhookEnvelope[] = [];
  private verificationKey: Promise<CryptoKey> | null = null;
  private readonly ops: AssetOps;

  constructor(
    private readonly config: EnvironmentConfig,
    private readonly shared: SharedParts,
  ) {
    this.clock = shared.clock;
    this.stats = shared.stats;
    this.defaults = shared.lifecycle;
    this.environment = config.environment;
    this.tokens = config.tokens;
    this.webhookSecret = config.webhook.secret;
    this.webhookUrl = config.webhook.url;
    this.signingKey = config.signingKey;
    this.listing = config.listing;
    // Separate streams, so that (say) an event id never shifts the ids of later assets.
    this.idRandom = seededRandom(config.seed);
    this.eventRandom = seededRandom(config.seed ^ 0x5bd1e995);
    this.updateRandom = seededRandom(config.seed ^ 0x1b873593);
    this.limiter = new RateLimiter(shared.rateLimit, shared.clock);
    this.writeLimiter = new RateLimiter(shared.writeRateLimit, shared.clock);
    this.dispatcher = new WebhookDispatcher({
      ...shared.dispatcher,
      secret: config.webhook.secret,
      url: config.webhook.url,
      clock: shared.clock,
      random: seededRandom(config.seed ^ 0x165667b1),
      stats: shared.stats,
      faults: shared.faults,
    });
    this.lifecycle = new Lifecycle(
      (id) => this.store.get(id),
      this.emit,
      (record) => this.timingOf(record),
    );
    this.ops = {
      get: (id) => this.store.get(id),
      lifecycle: this.lifecycle,
      emit: this.emit,
      now: () => this.clock.now(),
      newId: () => muxId(this.idRandom),
    };
  }

  private timingOf(record: AssetRecord): AssetTiming {
    return (
      this.timing.get(record.id) ?? {
        ...this.defaults,
        spontaneousUpdate: false,
      }
    );
  }

  /** Runs the lifecycle steps that time has made due. */
  catchUp(): void {
    this.lifecycle.runDue(this.clock.now());
  }

  findToken(id: string, secret: string): AccessToken | undefined {
    return this.tokens.find((t) => t.id === id && t.secret === secret);
  }

  /** The environment's first token and its webhook secret, as `createFakeMux` reports them. */
  get credentials(): { tokenId: string; tokenSecret: string; webhookSecret: string } {
    const first = this.tokens[0];
    return { tokenId: first?.id ?? "", tokenSecret: first?.secret ?? "", webhookSecret: this.webhookSecret };
  }

  hasTokenId(id: string): boolean {
    return this.tokens.some((t) => t.id === id);
  }

  addAccessToken(token: AccessToken): void {
    this.tokens.push({ permissions: ALL_PERMISSIONS, ...token });
  }

  /** A token's permissions changed (as a person might edit them): whoami and every check see them. */
  setTokenPermissions(tokenId: string, permissions: string[]): boolean {
    const token = this.tokens.find((t) => t.id === tokenId);
    if (token) token.permissions = [...permissions];
    return token !== undefined;
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
    if (spec.id && this.shared.isTaken(spec.id)) throw new SpecError(`asset ${spec.id} already exists`);
    const now = this.clock.now();
    const record = buildRecord(spec, random, this.store.allocateSeq(), now, this.shared.isTaken);
    this.store.add(record);
    const d = this.defaults;
    this.timing.set(record.id, {
      readyAfterMs: spec.readyAfterMs === undefined ? d.readyAfterMs : spec.readyAfterMs,
      renditionsAfterMs: spec.renditionsAfterMs === undefined ? d.renditionsAfterMs : spec.renditionsAfterMs,
      renditionStaggerMs: spec.renditionStaggerMs ?? d.renditionStaggerMs,
      renditionOrder: spec.renditionOrder ?? d.renditionOrder,
      spontaneousUpdate: spec.spontaneousUpdate ?? this.updateRandom.chance(d.spontaneousUpdateRate),
      spontaneousUpdateAfterMs: d.spontaneousUpdateAfterMs,
      captionsAfterMs: d.captionsAfterMs,
    });
    this.scheduleNext(record, now);
    if (emitEvents && record.status === "preparing") emitCreated(record, this.emit, now);
    return restAssetView(record);
  }

  /** Schedules what a freshly created record waits for. */
  private scheduleNext(record: AssetRecord, now: number): void {
    if (record.status === "preparing") {
      const { readyAfterMs } = this.timingOf(record);
      if (readyAfterMs !== null) this.lifecycle.schedule(record.id, "finish", now + readyAfterMs);
      return;
    }
    this.lifecycle.scheduleRenditions(record, now);
    for (const track of record.textTracks) this.lifecycle.startTextTrack(record, track, now, false);
  }

  /** The library generator: `count` assets of the realistic mix, deterministic for `seed`. */
  generateLibrary(count: number, seed: number, options: LibraryOptions = {}): FakeAsset[] {
    // Salted, so a library with the fake's own seed does not replay createAsset's ids.
    const random = seededRandom(seed ^ 0x4c1b7a3d);
    const captions = options.captioned
      ? { share: options.captioned, random: seededRandom(seed ^ 0x2f6b1d5e) }
      : undefined;
    return librarySpecs(count, random, this.clock.now(), captions, options).map(({ spec }) => {
      // Assets still processing finish one by one, over up to three times the usual delay.
      const stagger =
        spec.status === "preparing"
          ? { readyAfterMs: Math.round(this.defaults.readyAfterMs * (1 + 2 * random.next())) }
          : {};
      return this.createAsset({ ...spec, ...stagger }, random, false);
    });
  }

  getAsset(id: string): FakeAsset | undefined {
    this.catchUp();
    const record = this.store.get(id);
    return record ? restAssetView(record) : undefined;
  }

  /** Every asset, newest first (whatever the API's listing order). */
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

  /** PATCH: `passthrough` and `meta`, then `video.asset.updated` with the full asset. */
  updateAsset(id: string, patch: { passthrough?: string; meta?: AssetMeta }): FakeAsset | undefined {
    this.catchUp();
    const record = this.store.get(id);
    if (!record) return undefined;
    if (patch.passthrough !== undefined) record.passthrough = patch.passthrough;
    if (patch.meta !== undefined) record.meta = { ...record.meta, ...patch.meta };
    emitAssetEvent(record, "video.asset.updated", this.emit, this.clock.now());
    return restAssetView(record);
  }

  /** `POST /video/v1/assets/:id/static-renditions` (see rendition-ops.ts). */
  addStaticRendition(id: string, resolution: StaticRenditionResolution, passthrough?: string) {
    this.catchUp();
    return addStaticRendition(this.ops, id, resolution, passthrough);
  }

  /** `DELETE …/static-renditions/:rendition_id`; `byName` also accepts the file's name. The deleted file. */
  deleteStaticRendition(id: string, renditionIdOrName: string, byName = true) {
    this.catchUp();
    return deleteStaticRendition(this.ops, id, renditionIdOrName, byName);
  }

  /** `PUT /video/v1/assets/:id/mp4-support` (legacy). */
  setMp4Support(id: string, value: Mp4Support): FakeAsset | undefined {
    this.catchUp();
    return setMp4Support(this.ops, id, value);
  }

  /** A text track more (subtitles or generated captions; see track-ops.ts). */
  addTextTrack(id: string, spec: TextTrackSpec): FakeTrack | undefined {
    this.catchUp();
    return addTextTrack(this.ops, id, spec);
  }

  /** Deletes a text track: `video.asset.track.deleted`. */
  deleteTextTrack(id: string, trackId: string): boolean | undefined {
    this.catchUp();
    return deleteTextTrack(this.ops, id, trackId);
  }

  /** Ends a live asset's stream: `video.asset.live_stream_completed`, then its MP4s. */
  completeLiveStream(id: string): FakeAsset | undefined {
    this.catchUp();
    return completeLiveStream(this.ops, id);
  }

  /**
   * Emits an event for an asset as it is now, whatever its state (tests use this for stale,
   * repeated or unexpected events). `video.asset.static_rendition.*` names a rendition, and
   * `video.asset.track.*` a text track, by `subject` (default: the first).
   */
  fireEvent(assetId: string, type: MuxEventType, subject?: string): WebhookEnvelope | undefined {
    this.catchUp();
    const record = this.store.get(assetId);
    if (!record) return undefined;
    const renditionName = subject;
    if (isTrackEvent(type)) {
      const track = record.textTracks.find((t) => t.id === subject) ?? record.textTracks[0];
      if (!track) throw new SpecError(`asset ${assetId} has no text track to fire ${type} for`);
      emitTrackEvent(record, track, type, this.emit, this.clock.now());
    } else if (isRenditionEvent(type)) {
      const file = record.files.find((f) => f.name === renditionName) ?? record.files[0];
      if (!file) throw new SpecError(`asset ${assetId} has no static rendition to fire ${type} for`);
      emitRenditionEvent(record, file, type, this.emit, this.clock.now());
    } else {
      emitAssetEvent(record, type, this.emit, this.clock.now());
    }
    return this.events.at(-1);
  }

  setWebhookUrl(url: string | null): void {
    this.webhookUrl = url;
    this.dispatcher.setUrl(url);
  }

  setFaults(faults: FaultOptions): void {
    this.dispatcher.setFaults(faults);
  }

  setListing(options: ListingOptions): Listing {
    this.listing = { ...this.listing, ...options };
    return this.listing;
  }

  playbackKey(): Promise<CryptoKey> {
    this.verificationKey ??= importVerificationKey(this.signingKey.privateKeyBase64);
    return this.verificationKey;
  }

  /** Forgets every asset and event; keeps credentials, keys and configuration. */
  reset(): void {
    this.store.clear();
    this.lifecycle.clear();
    this.dispatcher.clear();
    this.timing.clear();
    this.events = [];
    this.limiter.refill();
    this.writeLimiter.refill();
    this.idRandom = seededRandom(this.config.seed);
    this.eventRandom = seededRandom(this.config.seed ^ 0x5bd1e995);
    this.updateRandom = seededRandom(this.config.seed ^ 0x1b873593);
  }
}
