/**
 * The JSON documents stored in TEXT columns (`mode: "json"`), typed once: what `schema.ts`'s
 * columns hold and what the pipeline payload and the API views are built from.
 */

/** Masks of write-only secrets, kept beside the ciphertexts so listings never decrypt. */
export type SecretHints = {
  access_token_secret?: string;
  webhook_secrets?: string[];
  signing_private_key?: string;
};

/** Masks of a bucket's write-only pipeline signing secrets. */
export type BucketSecretHints = {
  pipeline_secret?: string;
  pipeline_secret_previous?: string;
};

export type RenditionRecord = {
  name: string;
  url: string;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  filesize: number | null;
  path?: string;
  sha256?: string;
};

export type ObjectMetadata = {
  title: string | null;
  passthrough: string | null;
  creator_id: string | null;
  external_id: string | null;
  duration: number | null;
  aspect_ratio: string | null;
  resolution_tier: string | null;
  created_at: string | null;
};

/**
 * One of an object's tracks as read from Mux (`src/sync/track-records.ts`): its ready text tracks
 * (captions and subtitles) and its audio tracks. URLs are not kept: they are built from the
 * object's playback id when a delivery is sent (`src/pipeline/payload.ts`), with fresh tokens for
 * a signed id. With storage, a text track's WebVTT and transcript are stored files (`path`,
 * `transcript_path`).
 */
export type TrackRecord = TextTrackRecord | AudioTrackRecord;

export type TextTrackRecord = {
  id: string;
  type: "text";
  text_type: string | null;
  language_code: string | null;
  name: string | null;
  closed_captions: boolean | null;
  text_source: string | null;
  /** The stored WebVTT file. */
  path?: string;
  /** The stored transcript (generated tracks only). */
  transcript_path?: string;
};

export type AudioTrackRecord = {
  id: string;
  type: "audio";
  language_code: string | null;
  name: string | null;
  primary: boolean | null;
};
