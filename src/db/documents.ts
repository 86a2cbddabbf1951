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
