/**
 * The fake Mux's public types: its options, the spec for creating an asset, and the shapes it
 * serves. The served shapes mirror `@mux/mux-node` 15.3.0's `Asset`, `StaticRendition` and
 * webhook types field for field, but are declared here so the fake does not depend on the SDK.
 */
import type { Clock } from "../lib/clock";
import type { StaticRenditionResolution } from "../mux/rendition-names";

export type PlaybackPolicy = "public" | "signed" | "drm";
export type Mp4Support = "none" | "standard" | "capped-1080p" | "audio-only" | "audio-only,capped-1080p";
export type { StaticRenditionResolution };
export type ResolutionTier = "audio-only" | "720p" | "1080p" | "1440p" | "2160p";
export type MaxResolutionTier = "1080p" | "1440p" | "2160p";
export type AssetStatus = "preparing" | "ready" | "errored";

export type AssetMeta = { title?: string; creator_id?: string; external_id?: string };
export type AssetErrors = { type: string; messages: string[] };

/** What a test or the control API asks for; every field has a realistic default. */
export type AssetSpec = {
  /** Any string, even one Mux would never make (`x/../..`): plays a hostile or intercepted Mux. */
  id?: string;
  /**
   * Serve these static rendition files under other names (`{ "highest.mp4": "../../x.mp4" }`):
   * plays a hostile or intercepted Mux answer. The bytes stay the planned file's.
   */
  fileNames?: Record<string, string>;
  /** Playback ids to create, one per policy. `[]` makes an unplayable asset. Default `["public"]`. */
  playbackPolicies?: PlaybackPolicy[];
  /** Legacy MP4 flavour. Mutually exclusive with `staticRenditions`, as on Mux. */
  mp4Support?: Mp4Support;
  /** Static Renditions API flavour. */
  staticRenditions?: StaticRenditionResolution[];
  /**
   * Where the asset starts. `preparing` (default) walks the lifecycle and emits webhooks;
   * `ready` / `errored` create it already finished, as if it existed before the fake started.
   */
  status?: AssetStatus;
  /** With `status: "ready"`: whether its MP4s are finished too (default true). */
  renditionsReady?: boolean;
  /** The outcome of processing a `preparing` asset. Default `ready`. */
  outcome?: "ready" | "errored";
  errors?: AssetErrors;
  /** Source video size; ignored when `hasVideo` is false. Default 1920x1080. */
  width?: number;
  height?: number;
  hasVideo?: boolean;
  hasAudio?: boolean;
  /** Seconds. Default 30. Drives the advertised (and served) MP4 file sizes. */
  duration?: number;
  frameRate?: number;
  passthrough?: string;
  meta?: AssetMeta;
  maxResolutionTier?: MaxResolutionTier;
  videoQuality?: "basic" | "plus" | "premium";
  test?: boolean;
  /** Unix ms; default the fake's clock. Lets a library look like it was built over months. */
  createdAt?: number;
  /** Per-asset lifecycle timing; `null` means the step never happens on its own. */
  readyAfterMs?: number | null;
  renditionsAfterMs?: number | null;
  /**
   * Static Renditions API: the time between one file becoming ready and the next (the first is
   * ready `renditionsAfterMs` after the asset). Default: the fake's `lifecycle.renditionStaggerMs`.
   */
  renditionStaggerMs?: number;
  /** In which order the Static Renditions API files become ready. Default: the fake's. */
  renditionOrder?: RenditionOrder;
  /**
   * Whether Mux sends a `video.asset.updated` on its own after `video.asset.ready`, with nothing
   * changed. Default: drawn (seeded) at the fake's `lifecycle.spontaneousUpdateRate`.
   */
  spontaneousUpdate?: boolean;
  /**
   * An asset recorded from a live stream: `is_live: true` and `live_stream_id` set, playable once
   * ready, and no MP4s until `completeLiveStream` ends the stream.
   */
  live?: boolean;
  /** With `live`: the live stream's id (default: a fresh one). */
  liveStreamId?: string;
  /** Text tracks (subtitles, captions): none by default. */
  textTracks?: TextTrackSpec[];
};

/** `uploaded`: subtitles that came with the asset; `generated_vod`: captions Mux generates from the audio. */
export type TextTrackSource = "uploaded" | "generated_vod";

export type TextTrackSpec = {
  /** Any string, even one Mux would never make: plays a hostile or intercepted Mux. Default: a fresh Mux id. */
  id?: string;
  /** Default `uploaded`. */
  textSource?: TextTrackSource;
  /** Default `en`. Any string (a hostile Mux). */
  languageCode?: string;
  /** Default `English`, or `English (generated)` for generated captions. Any string (a hostile Mux). */
  name?: string;
  closedCaptions?: boolean;
  /**
   * When it becomes ready, after the asset is: default `0` (with the asset) for uploaded
   * subtitles, the fake's `lifecycle.captionsAfterMs` for generated ones; `null` never. For an
   * asset created `ready`, a track is ready at once unless this is given (then it counts from
   * creation).
   */
  readyAfterMs?: number | null;
};

/** `smallest-first`: the lightest file first (audio, then low resolutions); `listed`: as requested. */
export type RenditionOrder = "smallest-first" | "listed";

/**
 * The order of `GET /video/v1/assets` (Mux does not document it): `newest-first` (default),
 * `oldest-first`, `by-id` (ascending asset id, unrelated to creation), `shuffled` (a fixed
 * seeded permutation, as an unsorted index would give).
 */
export type ListOrder = "newest-first" | "oldest-first" | "by-id" | "shuffled";

export type ListingOptions = {
  /**
   * `stable` (default): the cursor names the last asset served, so inserts and deletes between
   * pages neither repeat nor skip anything. `offset`: the cursor is a position
   * (`{"page_limit","page_count"}`, as Mux's docs example decodes to), so assets created between
   * two pages shift the listing: duplicates or skips across pages.
   */
  cursor?: "stable" | "offset";
  order?: ListOrder;
  /** Seed of the `shuffled` order. Default: the fake's seed. */
  shuffleSeed?: number;
};

export type RestStaticRenditionFile = {
  id?: string;
  name: string;
  ext: "mp4" | "m4a";
  status?: "ready" | "preparing" | "skipped" | "errored";
  type?: "standard" | "advanced";
  resolution?: StaticRenditionResolution;
  resolution_tier?: ResolutionTier;
  width?: number;
  height?: number;
  bitrate?: number;
  /** A string over REST, as Mux sends it. */
  filesize?: string;
  /** What the request that created it set (Static Renditions API). */
  passthrough?: string;
};

export type FakeTrack = {
  id: string;
  type: "video" | "audio" | "text";
  status?: "preparing" | "ready" | "errored" | "deleted";
  /** Text tracks only. */
  text_type?: "subtitles";
  text_source?: TextTrackSource;
  language_code?: string;
  name?: string;
  closed_captions?: boolean;
  duration?: number;
  max_width?: number;
  max_height?: number;
  max_frame_rate?: number;
  max_channels?: number;
  max_channel_layout?: string;
  primary?: boolean;
};

/** An asset exactly as `GET /video/v1/assets/:id` shows it under `data`. */
export type FakeAsset = {
  id: string;
  created_at: string;
  status: AssetStatus;
  progress: { state: "ingesting" | "transcoding" | "completed" | "live" | "errored"; progress: number };
  master_access: "none" | "temporary";
  max_resolution_tier: MaxResolutionTier;
  encoding_tier: "smart" | "baseline" | "premium";
  video_quality: "basic" | "plus" | "premium";
  ingest_type: "on_demand_url" | "live_rtmp";
  playback_ids?: Array<{ id: string; policy: PlaybackPolicy }>;
  mp4_support?: Mp4Support;
  static_renditions?: {
    status?: "ready" | "preparing" | "disabled" | "errored";
    files?: RestStaticRenditionFile[];
  };
  passthrough?: string;
  meta?: AssetMeta;
  duration?: number;
  aspect_ratio?: string;
  resolution_tier?: ResolutionTier;
  max_stored_resolution?: "Audio only" | "SD" | "HD" | "FHD" | "UHD";
  max_stored_frame_rate?: number;
  tracks?: FakeTrack[];
  errors?: AssetErrors;
  test?: boolean;
  /** Live-stream assets only. */
  is_live?: boolean;
  live_stream_id?: string;
  recording_times?: Array<{ started_at: string; duration: number; type: "content" | "slate" }>;
};

/** A Static Renditions API file as `POST …/static-renditions` answers it. */
export type CreatedStaticRendition = {
  id: string;
  type: "standard" | "advanced";
  ext: "mp4" | "m4a";
  status: "preparing";
  resolution: StaticRenditionResolution;
  name: string;
  passthrough?: string;
};

export type WebhookEnvelope = {
  type: string;
  request_id: null;
  object: { type: string; id: string };
  id: string;
  environment: { name: string; id: string };
  data: Record<string, unknown>;
  created_at: string;
  attempts: WebhookAttempt[];
  accessor_source: null;
  accessor: null;
};

export type WebhookAttempt = {
  id: string;
  address: string;
  created_at: string;
  max_attempts: number;
  response_status_code: number | null;
  response_body: string | null;
  response_headers: Record<string, string>;
  webhook_id: string;
};

export type FaultOptions = {
  /** Fraction of events never sent (0..1). */
  dropRate?: number;
  /** Fraction of events sent twice with the same event id (0..1). */
  duplicateRate?: number;
  /** Give each event a random delay up to `maxDelayMs` (default 1000 ms), so they arrive out of order. */
  reorder?: boolean;
  maxDelayMs?: number;
  /** Fraction of API requests answered with an injected 5xx (0..1). */
  errorRate?: number;
  /** Added to every API and stream request, with real timers. */
  latencyMs?: number;
};

export type RateLimitOptions = { perSecond: number; burst: number };

export type AccessToken = {
  id: string;
  secret: string;
  name?: string;
  /** e.g. `["video:read"]`; a token without `video:read` gets 403 on asset routes. */
  permissions?: string[];
};

export type FakeMuxOptions = {
  tokenId?: string;
  tokenSecret?: string;
  /** Permissions of the main token; `[]` makes every asset route answer 403. */
  permissions?: string[];
  webhookSecret?: string;
  webhookUrl?: string | null;
  seed?: number;
  clock?: Clock;
  /** Use real timers to run the lifecycle and deliver webhooks by themselves (serve mode). */
  autoAdvance?: boolean;
  lifecycle?: {
    /** preparing → ready/errored. Default 2000 ms. */
    readyAfterMs?: number;
    /** ready → MP4s ready (the first file, for the Static Renditions API). Default 3000 ms. */
    renditionsAfterMs?: number;
    /** Static Renditions API: time between one file becoming ready and the next. Default 1000 ms. */
    renditionStaggerMs?: number;
    /** Static Renditions API: which file is ready first. Default `smallest-first`. */
    renditionOrder?: RenditionOrder;
    /** Share of assets (0..1, seeded) that get a `video.asset.updated` with nothing changed after ready. Default 0. */
    spontaneousUpdateRate?: number;
    /** How long after `video.asset.ready` that `updated` comes. Default 500 ms. */
    spontaneousUpdateAfterMs?: number;
    /** ready → generated captions ready (`video.asset.track.ready`). Default 4000 ms. */
    captionsAfterMs?: number;
  };
  /** How `GET /video/v1/assets` orders and pages (default newest first, stable cursor). */
  listing?: ListingOptions;
  webhooks?: {
    /** Delay before each retry; its length is the number of retries. Default 0.5, 1, 2, 4, 8 s. */
    retryDelaysMs?: number[];
    /** One attempt's timeout, as Mux's 5 s. */
    timeoutMs?: number;
    /** Parallel deliveries in autoAdvance mode. */
    concurrency?: number;
  };
  faults?: FaultOptions;
  /** Sustained GET limit on the API; `null` lifts it. Default 5/s with a burst of 10. */
  rateLimit?: RateLimitOptions | null;
  /**
   * Sustained POST limit (Mux: 1/s, "with the ability to burst"); `null` lifts it. Default 1/s with
   * a burst of 5, or none when `rateLimit` is `null` and this is not given.
   */
  writeRateLimit?: RateLimitOptions | null;
  /** How webhooks are POSTed. */
  fetch?: typeof fetch;
  environment?: { id: string; name: string };
  /** An existing RSA signing key; by default a fresh RSA-2048 key is generated. */
  signingKey?: { id: string; privateKeyBase64: string };
  /** How often autoAdvance checks for due work. Default 20 ms. */
  tickMs?: number;
};

export type WebhookStats = {
  /** Events produced by the lifecycle or fired by hand. */
  emitted: number;
  /** POSTs made, retries and duplicates included. */
  sent: number;
  delivered: number;
  /** Attempts that got a non-2xx, a network error or a timeout. */
  failed: number;
  retried: number;
  /** Events abandoned after the last retry. */
  gaveUp: number;
  /** Events dropped by fault injection (never sent). */
  dropped: number;
  duplicated: number;
  /** Events produced while no webhook URL was configured. */
  unrouted: number;
};

export type FakeMuxStats = {
  /** `"METHOD route"` → status → count, e.g. `calls["GET /video/v1/assets"]["200"]`. */
  calls: Record<string, Record<string, number>>;
  /** The API calls whose token authenticated, by environment id, then as `calls`. */
  environments: Record<string, { calls: Record<string, Record<string, number>> }>;
  listCalls: number;
  retrieveCalls: number;
  whoamiCalls: number;
  rateLimited: number;
  injectedErrors: number;
  webhooks: WebhookStats;
  downloads: { requests: number; bytes: number };
  /**
   * Static Renditions API calls that reached an asset, by `"{asset_id}/{resolution}"`: creates
   * (answered 201 or 400) and deletes (answered 204), so a test can assert none came twice.
   */
  renditions: { creates: Record<string, number>; deletes: Record<string, number> };
};

/** A further environment of the same fake (`fake.addEnvironment`): its own tokens, library and webhooks. */
export type EnvironmentOptions = {
  id: string;
  name: string;
  tokenId: string;
  tokenSecret: string;
  /** Permissions of its token. Default: all. */
  permissions?: string[];
  webhookSecret: string;
  webhookUrl?: string | null;
  /** Default: the first environment's key. */
  signingKey?: { id: string; privateKeyBase64: string };
  /** Default: the fake's listing options. */
  listing?: ListingOptions;
};
