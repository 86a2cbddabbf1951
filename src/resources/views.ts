/**
 * What the verbs take and return, as plain types. The HTTP layer's zod schemas
 * (`src/http/admin/<resource>/schemas.ts`) validate requests into the input types and document
 * the views; a compile-time check there keeps each schema and its view the same shape.
 */
import type { RenditionRecord, TrackRecord } from "../db/documents";
import type { ObjectState } from "../db/schema";
import type { StaticRenditionResolution } from "../mux/rendition-names";
import type { JobStatus } from "../queue/types";
import type { FileFilters } from "../sync/filters";
import type { WaitForKind } from "../sync/settings";

export type ConnectionCreateInput = {
  name: string;
  provider: "mux";
  access_token_id: string;
  access_token_secret: string;
  webhook_secrets?: string[];
  signing_key_id?: string;
  signing_private_key?: string;
  validate?: boolean;
};

/** Fields left out keep their value; `null` clears an optional one. */
export type ConnectionPatchInput = {
  name?: string;
  access_token_id?: string;
  access_token_secret?: string;
  webhook_secrets?: string[] | null;
  signing_key_id?: string | null;
  signing_private_key?: string | null;
  /** Re-pin to this Mux environment (the token must reach it). */
  environment_id?: string;
  validate?: boolean;
};

export type BucketCreateInput = { name: string; pipeline_url?: string | null; pipeline_secret?: string };
export type BucketPatchInput = {
  name?: string;
  pipeline_url?: string | null;
  pipeline_secret?: string;
  grace_seconds?: number;
};
export type BucketRotateInput = { pipeline_secret?: string; grace_seconds?: number };

type SyncSettingsInput = {
  source_path?: string;
  sync_mode?: "initial_only" | "continuous";
  polling_interval_seconds?: number;
  file_filters?: FileFilters;
  rendition_preference?: string[] | null;
  create_renditions?: StaticRenditionResolution[];
  remove_created_renditions?: boolean;
  wait_for?: WaitForKind[];
  wait_for_grace_seconds?: number;
};
export type SyncCreateInput = SyncSettingsInput & { connection_id: string };
export type SyncPatchInput = SyncSettingsInput & { connection_id?: string };

export type ObjectListQuery = { state?: ObjectState; reason?: string; cursor?: string; limit: number };
export type JobListQuery = { status?: JobStatus; type?: string; limit: number };

export type ConnectionTestResult = { success: boolean; message: string; details: Record<string, unknown> };

export type ConnectionView = {
  id: string;
  name: string;
  provider: string;
  access_token_id: string;
  access_token_secret: string | null;
  webhook_secrets: string[];
  signing_key_id: string | null;
  signing_private_key: string | null;
  origin: string;
  /** The Mux environment the connection is pinned to (null until first use). */
  environment: { id: string; name: string | null } | null;
  last_test: { success: boolean | null; message: string | null; at: string | null } | null;
  sync_ids: string[];
  created_at: string | null;
  updated_at: string | null;
};

export type BucketView = {
  id: string;
  name: string;
  pipeline_url: string | null;
  /** The mask of its pipeline secret (`whsec_…c0ff`), never the secret. */
  pipeline_secret_hint: string | null;
  /** While a rotation's grace lasts: the previous secret's mask and when it stops signing. */
  pipeline_secret_previous_hint: string | null;
  pipeline_secret_previous_until: string | null;
  origin: string;
  sync_ids: string[];
  objects: { total: number; by_state: Record<string, number> };
  created_at: string | null;
  updated_at: string | null;
};

/** The one answer that carries a pipeline secret in clear: its creation or rotation. */
export type BucketWithSecretView = BucketView & { pipeline_secret: string };

export type RunView = {
  id: string;
  sync_id: string;
  kind: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  pages: number;
  api_calls: number;
  assets_seen: number;
  enqueued: number;
  repaired: number;
  rechecked: number;
  errors: number;
  /** The listing was not newest first: the pass carried on as a full sweep. */
  order_violation: boolean;
  message: string | null;
};

export type SyncView = {
  id: string;
  bucket_id: string;
  connection_id: string;
  source_path: string;
  sync_mode: string;
  polling_interval_seconds: number;
  file_filters: Record<string, unknown>;
  rendition_preference: string[] | null;
  create_renditions: string[];
  remove_created_renditions: boolean;
  wait_for: string[];
  wait_for_grace_seconds: number;
  status: string;
  /** While suspended: why (`failing`, `environment_changed`, `deletion_guard`). */
  suspension: string | null;
  status_reason: string | null;
  origin: string;
  next_run_at: string | null;
  last_run: RunView | null;
  created_at: string | null;
  updated_at: string | null;
};

/** The rendition record as the API shows it (its checksum is internal). */
export type RenditionView = Omit<RenditionRecord, "sha256">;

export type ObjectView = {
  id: string;
  bucket_id: string;
  sync_id: string;
  asset_id: string;
  state: string;
  reason: string | null;
  message: string | null;
  playback_id: string | null;
  playback_policy: string | null;
  rendition: RenditionView | null;
  metadata: Record<string, unknown> | null;
  /** The ready text tracks and the audio tracks, as the pipeline is handed them (URLs are made per delivery). */
  tracks: TrackRecord[];
  /** The `wait_for` hold: when it began, and when its grace ran out (delivered without what it waited for). */
  wait_for_since: string | null;
  wait_for_expired_at: string | null;
  version: number;
  discovered_via: string;
  /** Held by the deletion guard since then: Mux answers 404, a person decides. */
  pending_deletion_at: string | null;
  state_changed_at: string | null;
  created_at: string | null;
  updated_at: string | null;
};

export type JobView = {
  id: string;
  type: string;
  key: string;
  status: string;
  attempts: number;
  max_attempts: number;
  available_at: string | null;
  last_error: string | null;
  payload: Record<string, unknown>;
  created_at: string | null;
  updated_at: string | null;
  finished_at: string | null;
};

export type DeliveryView = {
  id: string;
  type: string;
  reason: string | null;
  object_version: number;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: string | null;
  delivered_at: string | null;
};

export type HistoryView = { state: string; reason: string | null; message: string | null; at: string | null };

/** A static rendition asked of Mux for the object's asset (`create_renditions`), and what came of it. */
export type RenditionRequestView = {
  resolution: string;
  /** requested, created (the service's own), existing (someone else's), refused (403), rejected. */
  status: string;
  message: string | null;
  requested_at: string | null;
  answered_at: string | null;
  /** When the service deleted it again (`remove_created_renditions`). */
  removed_at: string | null;
};

export type ObjectDetailView = ObjectView & {
  history: HistoryView[];
  rendition_requests: RenditionRequestView[];
  deliveries: DeliveryView[];
  jobs: JobView[];
};

export type ObjectPage = { data: ObjectView[]; next_cursor: string; has_more: boolean };

export type RetryResult = { object_id: string; asset_id: string; job_key: string; revived_dead_job: boolean };

/** "Create the MP4 now" (`object-mp4.ts`): the ingest queued, and whether earlier answers were forgotten. */
export type CreateMp4Result = {
  object_id: string;
  asset_id: string;
  job_key: string;
  resolutions: string[];
  asked_again: boolean;
};

/** The dead letters' filters (`src/resources/dead-letters.ts`). */
export type DeadLetterFilter = { type?: string; bucket_id?: string; sync_id?: string; error?: string };
export type DeadLetterQuery = DeadLetterFilter & { cursor?: string; limit: number };

export type DeadLetterView = Omit<JobView, "status" | "available_at"> & {
  died_at: string | null;
  sync_id: string | null;
  bucket_id: string | null;
  object: { id: string; asset_id: string; state: string; reason: string | null } | null;
};

export type DeadLetterPage = { data: DeadLetterView[]; next_cursor: string | null; has_more: boolean };

export type ReplayAction = "revived" | "object_retry" | "new_pass";
export type ReplayResult = {
  id: string;
  type: string;
  action: ReplayAction;
  job_key: string;
  run_id: string | null;
};

export type BulkReplayResult = {
  replayed: number;
  results: ReplayResult[];
  refused: Array<{ id: string; code: string; message: string }>;
  next_cursor: string | null;
  has_more: boolean;
};
