/**
 * The fake Mux: in-memory Mux environments for unit, integration and end-to-end tests,
 * benchmarks and the demo. See DESIGN.md §5 and the module comments for what it models.
 */

export type { FakeMuxEnvironment } from "./environment-handle";
export type { FakeMux } from "./fake-mux";
export {
  createFakeMux,
  DEFAULT_CAPTIONS_AFTER_MS,
  DEFAULT_ENVIRONMENT,
  DEFAULT_RATE_LIMIT,
  DEFAULT_READY_AFTER_MS,
  DEFAULT_RENDITION_STAGGER_MS,
  DEFAULT_RENDITIONS_AFTER_MS,
  DEFAULT_SPONTANEOUS_UPDATE_AFTER_MS,
  DEFAULT_TOKEN_ID,
  DEFAULT_TOKEN_SECRET,
  DEFAULT_WEBHOOK_SECRET,
} from "./fake-mux";
export { type LibraryKind, type LibraryOptions, librarySpecs } from "./library";
export { renditionBytes } from "./rendition-bytes";
export { type RunningFakeMux, startFakeMux } from "./server";
export type {
  AccessToken,
  AssetSpec,
  CreatedStaticRendition,
  EnvironmentOptions,
  FakeAsset,
  FakeMuxOptions,
  FakeMuxStats,
  FakeTrack,
  FaultOptions,
  ListingOptions,
  ListOrder,
  Mp4Support,
  PlaybackPolicy,
  RateLimitOptions,
  RenditionOrder,
  RestStaticRenditionFile,
  StaticRenditionResolution,
  TextTrackSource,
  TextTrackSpec,
  WebhookEnvelope,
  WebhookStats,
} from "./types";
export { DEFAULT_RETRY_DELAYS_MS } from "./webhook-dispatcher";
export { muxSignatureHeader } from "./webhook-signature";
