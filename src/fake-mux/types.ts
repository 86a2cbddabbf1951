/**
 * The fake Mux's public types: its options, the spec for creating an asset, and the shapes it
 * serves. The served shapes mirror `@mux/mux-node` 15.3.0's `Asset`, `StaticRendition` and
 * webhook types field for field, but are declared here so the fake does not depend on the SDK.
 */
import type { Clock } from "../lib/clock";

export type PlaybackPolicy = "public" | "signed" | "drm";
export type Mp4Support = "none" | "standard" | "capped-1080p" | "audio-only" | "audio-only,capped-1080p";
export type StaticRenditionResolution =
  | "highest"
  | "audio-only"
  | "2160p"
  | "1440p"
  | "1080p"
  | "720p"
  | "540p"
  | "480p"
  | "360p"
  | "270p";
export type ResolutionTier = "audio-only" | "720p" | "1080p" | "1440p" | "2160p";
export type MaxResolutionTier = "1080p" | "1440p" | "2160p";
export type AssetStatus = "preparing" | "ready" | "errored";

export type AssetMeta = { title?: string; creator_id?: string; external_id?: string };
export type AssetErrors = { type: string; messages: string[] };

/** What a test or the control API asks for; every field has a realistic default. */
export type AssetSpec = {
  id?: string;
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
};

export type FakeTrack = {
  id: string;
  type: "video" | "audio";
  status?: "ready";
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
  progress: { state: "ingesting" | "transcoding" | "completed" | "errored"; progress: number };
  master_access: "none" | "temporary";
  max_resolution_tier: MaxResolutionTier;
  encoding_tier: "smart" | "baseline" | "premium";
  video_quality: "basic" | "plus" | "premium";
  ingest_type: "on_demand_url";
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
    /** ready → MP4s ready. Default 3000 ms. */
    renditionsAfterMs?: number;
  };
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
  listCalls: number;
  retrieveCalls: number;
  whoamiCalls: number;
  rateLimited: number;
  injectedErrors: number;
  webhooks: WebhookStats;
  downloads: { requests: number; bytes: number };
};
