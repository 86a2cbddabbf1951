/**
 * The handle on one environment of the fake: its library, its events, its credentials. The
 * first environment's handle is the fake itself (`createFakeMux`); `fake.addEnvironment` returns
 * the others. Time is shared: `settle`, `advance` and `webhooks.flush` act on the whole fake.
 */
import type { MuxEventType } from "../mux/events";
import type { FakeMuxCore } from "./core";
import type { LibraryOptions } from "./library";
import type {
  AccessToken,
  AssetSpec,
  CreatedStaticRendition,
  FakeAsset,
  FakeTrack,
  ListingOptions,
  Mp4Support,
  StaticRenditionResolution,
  TextTrackSpec,
  WebhookEnvelope,
} from "./types";
import type { FakeMuxWorld } from "./world";

export interface FakeMuxEnvironment {
  /** `{id, name}`, as whoami and every webhook envelope of this environment carry it. */
  readonly environment: { id: string; name: string };
  /** Its first access token and its webhook signing secret. */
  readonly credentials: { tokenId: string; tokenSecret: string; webhookSecret: string };
  /** The key its signed playback ids are checked with. */
  readonly signingKey: { id: string; privateKeyBase64: string };
  /** Creates an asset and returns it as REST would show it. */
  createAsset(spec?: AssetSpec): FakeAsset;
  /** Deletes an asset and emits `video.asset.deleted`; unknown ids are ignored. */
  deleteAsset(id: string): void;
  /** Updates `passthrough` / `meta` and emits `video.asset.updated` with the full asset. */
  updateAsset(id: string, patch: { passthrough?: string; meta?: FakeAsset["meta"] }): FakeAsset | undefined;
  /** `count` assets of the realistic mix (`options`: the share captioned, the share without any MP4, default 0.4). */
  generateLibrary(count: number, seed?: number, options?: LibraryOptions): FakeAsset[];
  getAsset(id: string): FakeAsset | undefined;
  /** Every asset, newest first, as REST shows them (whatever the API's listing order). */
  listAssets(): FakeAsset[];
  /** Emits an event for an asset as it is now (static_rendition.* events name a rendition, track.* a track id). */
  fireEvent(assetId: string, type: MuxEventType, subject?: string): WebhookEnvelope | undefined;
  /** Every event this environment produced (sent, dropped or unrouted), oldest first. */
  eventLog(): WebhookEnvelope[];
  /**
   * Asks for one more static rendition (`POST …/static-renditions`); `undefined` for an unknown
   * asset; throws for one Mux refuses (a resolution already defined, legacy MP4s enabled).
   */
  addStaticRendition(
    assetId: string,
    resolution: StaticRenditionResolution,
    passthrough?: string,
  ): CreatedStaticRendition | undefined;
  /** Deletes a static rendition by id or file name; `false` if the asset has no such rendition. */
  deleteStaticRendition(assetId: string, renditionIdOrName: string): boolean;
  /**
   * Adds a text track (`created`, then `ready` on its timing); `undefined` for an unknown asset;
   * throws for an errored asset or a track id it already has.
   */
  addTextTrack(assetId: string, spec?: TextTrackSpec): FakeTrack | undefined;
  /** Deletes a text track (`video.asset.track.deleted`); `false` if the asset has no such track. */
  deleteTextTrack(assetId: string, trackId: string): boolean;
  /** `PUT …/mp4-support` (legacy). */
  setMp4Support(assetId: string, value: Mp4Support): FakeAsset | undefined;
  /** Ends a live asset's stream: `video.asset.live_stream_completed`, then its MP4s. */
  completeLiveStream(assetId: string): FakeAsset | undefined;
  /** Changes how `GET /video/v1/assets` orders and pages, from the next request on. */
  setListing(options: ListingOptions): void;
  setWebhookUrl(url: string | null): void;
  addAccessToken(token: AccessToken): void;
  /** Changes a token's permissions (e.g. `["video:read"]` → read-only); false for an unknown token. */
  setTokenPermissions(tokenId: string, permissions: string[]): boolean;
  /** Completes every pending lifecycle step of the whole fake and delivers their webhooks. */
  settle(): Promise<void>;
  /** With a ManualClock: moves the fake's time, runs what became due, delivers what is due. */
  advance(ms: number): Promise<void>;
  webhooks: {
    /** Delivers every queued event of the fake now (ignoring injected delays) and the due retries. */
    flush(): Promise<void>;
    /** Deliveries queued or in flight: this environment's (the whole fake's, on the fake itself). */
    pendingCount(): number;
  };
}

/** `librarySeed`: what `generateLibrary` uses when not given a seed (the fake's own seed). */
export function environmentHandle(
  world: FakeMuxWorld,
  env: FakeMuxCore,
  librarySeed: number,
): FakeMuxEnvironment {
  return {
    environment: env.environment,
    credentials: env.credentials,
    signingKey: env.signingKey,
    createAsset: (spec) => env.createAsset(spec),
    deleteAsset: (id) => {
      env.deleteAsset(id);
    },
    updateAsset: (id, patch) => env.updateAsset(id, patch ?? {}),
    generateLibrary: (count, seed, options) => env.generateLibrary(count, seed ?? librarySeed, options),
    getAsset: (id) => env.getAsset(id),
    listAssets: () => env.listAssets(),
    fireEvent: (assetId, type, subject) => env.fireEvent(assetId, type, subject),
    eventLog: () => env.eventLog(),
    addStaticRendition: (assetId, resolution, passthrough) =>
      env.addStaticRendition(assetId, resolution, passthrough),
    deleteStaticRendition: (assetId, renditionIdOrName) =>
      Boolean(env.deleteStaticRendition(assetId, renditionIdOrName)),
    addTextTrack: (assetId, spec) => env.addTextTrack(assetId, spec ?? {}),
    deleteTextTrack: (assetId, trackId) => env.deleteTextTrack(assetId, trackId) === true,
    setMp4Support: (assetId, value) => env.setMp4Support(assetId, value),
    completeLiveStream: (assetId) => env.completeLiveStream(assetId),
    setListing: (options) => {
      env.setListing(options);
    },
    setWebhookUrl: (url) => env.setWebhookUrl(url),
    addAccessToken: (token) => env.addAccessToken(token),
    setTokenPermissions: (tokenId, permissions) => env.setTokenPermissions(tokenId, permissions),
    settle: () => world.settle(),
    advance: (ms) => world.advance(ms),
    webhooks: {
      flush: () => world.flushWebhooks(),
      pendingCount: () => env.dispatcher.pendingCount(),
    },
  };
}
