/**
 * The whole relational model in one module, shared by better-sqlite3 (Node) and D1 (Workers).
 *
 * Conventions:
 * - Times are integer milliseconds since the epoch (`*_at`), except where a column says `_s`.
 * - JSON documents are TEXT columns in `mode: "json"` so drizzle (de)serialises them.
 * - Ids are opaque prefixed strings (`con_…`, `bkt_…`) made by `newId`; webhook events keep Mux's id.
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Masks of write-only secrets, kept beside the ciphertexts so listings never decrypt. */
export type SecretHints = {
  access_token_secret?: string;
  webhook_secrets?: string[];
  signing_private_key?: string;
};

export const connections = sqliteTable("connections", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  provider: text("provider").notNull().default("mux"),
  accessTokenId: text("access_token_id").notNull(),
  /** Ciphertext (see `SecretBox`), never the clear secret. */
  accessTokenSecret: text("access_token_secret").notNull(),
  /** Ciphertext of a JSON array of signing secrets; several during a rotation. */
  webhookSecrets: text("webhook_secrets"),
  signingKeyId: text("signing_key_id"),
  /** Ciphertext of the RS256 private key for signed playback. */
  signingPrivateKey: text("signing_private_key"),
  secretHints: text("secret_hints", { mode: "json" }).$type<SecretHints>().notNull().default({}),
  /** `env` when created from the environment at start-up, `api` otherwise. */
  origin: text("origin").notNull().default("api"),
  lastTestAt: integer("last_test_at"),
  lastTestSuccess: integer("last_test_success", { mode: "boolean" }),
  lastTestMessage: text("last_test_message"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const buckets = sqliteTable("buckets", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  pipelineUrl: text("pipeline_url"),
  origin: text("origin").notNull().default("api"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type SyncStatus = "active" | "paused" | "completed" | "suspended";

export const syncs = sqliteTable(
  "syncs",
  {
    id: text("id").primaryKey(),
    bucketId: text("bucket_id")
      .notNull()
      .references(() => buckets.id, { onDelete: "cascade" }),
    connectionId: text("connection_id")
      .notNull()
      .references(() => connections.id),
    sourcePath: text("source_path").notNull().default("mux://"),
    syncMode: text("sync_mode").$type<"initial_only" | "continuous">().notNull().default("continuous"),
    pollingIntervalSeconds: integer("polling_interval_seconds").notNull().default(300),
    fileFilters: text("file_filters", { mode: "json" })
      .$type<Record<string, unknown>>()
      .notNull()
      .default({}),
    renditionPreference: text("rendition_preference", { mode: "json" }).$type<string[] | null>(),
    status: text("status").$type<SyncStatus>().notNull().default("active"),
    statusReason: text("status_reason"),
    origin: text("origin").notNull().default("api"),
    /** When the next pass is due; null for a sync that has nothing left to poll. */
    nextRunAt: integer("next_run_at"),
    /** Newest asset `created_at` (unix seconds) seen by a completed listing; incremental passes stop near it. */
    watermarkCreatedS: integer("watermark_created_s"),
    lastFullSweepAt: integer("last_full_sweep_at"),
    /** For `initial_only`: the moment the initial pass started; assets created later are out of scope. */
    snapshotAt: integer("snapshot_at"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** Lease that keeps two pollers (or processes) from running one sync at once. */
    leaseOwner: text("lease_owner"),
    leaseUntil: integer("lease_until"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("syncs_connection_idx").on(t.connectionId), index("syncs_due_idx").on(t.status, t.nextRunAt)],
);

export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    /** Mux's event id: the deduplication key. */
    id: text("id").primaryKey(),
    connectionId: text("connection_id").notNull(),
    type: text("type").notNull(),
    assetId: text("asset_id"),
    /** `enqueued`, `ignored` (type we do not act on), `no_asset_id`, `no_sync`. */
    outcome: text("outcome").notNull(),
    jobsEnqueued: integer("jobs_enqueued").notNull().default(0),
    /** A per-request random value: lets later statements of the same atomic batch know the insert won. */
    nonce: text("nonce").notNull(),
    eventCreatedAt: integer("event_created_at"),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    index("webhook_events_received_idx").on(t.receivedAt),
    index("webhook_events_asset_idx").on(t.assetId),
  ],
);

export type JobStatus = "pending" | "running" | "done" | "dead";

export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    queue: text("queue").notNull(),
    type: text("type").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<JobStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    availableAt: integer("available_at").notNull(),
    /** The claim token: a worker may only finish a job whose lease id is still its own (compare-and-swap). */
    leaseId: text("lease_id"),
    lockedUntil: integer("locked_until"),
    /**
     * Workers only: while the job is pending, when the Cloudflare Queues message that will run it
     * is due (null: none sent yet). Cleared on every move into `pending`, so a job that needs a
     * fresh message shows null.
     */
    messageDueAt: integer("message_due_at"),
    /** Set when the job is enqueued again while running: it runs once more instead of finishing. */
    rerun: integer("rerun", { mode: "boolean" }).notNull().default(false),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    uniqueIndex("jobs_queue_key_uq").on(t.queue, t.idempotencyKey),
    index("jobs_claim_idx").on(t.queue, t.status, t.availableAt),
  ],
);

export type ObjectState =
  | "waiting_for_asset"
  | "waiting_for_rendition"
  | "ready"
  | "delivered"
  | "skipped"
  | "failed"
  | "deleted";

export type SkipReason =
  | "asset_errored"
  | "no_playback_id"
  | "drm_only"
  | "signed_without_key"
  | "filtered"
  | "no_static_renditions"
  | "out_of_scope";

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

export const objects = sqliteTable(
  "objects",
  {
    id: text("id").primaryKey(),
    bucketId: text("bucket_id")
      .notNull()
      .references(() => buckets.id, { onDelete: "cascade" }),
    syncId: text("sync_id").notNull(),
    assetId: text("asset_id").notNull(),
    state: text("state").$type<ObjectState>().notNull(),
    /** Machine-readable reason (`SkipReason`, an error code…). */
    reason: text("reason"),
    /** The same reason, for a person. */
    message: text("message"),
    playbackId: text("playback_id"),
    playbackPolicy: text("playback_policy"),
    rendition: text("rendition", { mode: "json" }).$type<RenditionRecord | null>(),
    metadata: text("metadata", { mode: "json" }).$type<ObjectMetadata | null>(),
    /** Bumped on every state change; the delivery id is derived from it, and it guards writes (CAS). */
    version: integer("version").notNull().default(1),
    /** Random per write: later statements of the same atomic batch check it to know the write won. */
    writeToken: text("write_token").notNull(),
    /** How we first learned of the asset: `webhook`, `poll` or `trigger`. */
    discoveredVia: text("discovered_via").notNull(),
    webhookSeenAt: integer("webhook_seen_at"),
    /** When a listing last showed the asset: a full sweep that does not see it checks for deletion. */
    lastSeenAt: integer("last_seen_at"),
    /** When the asset was first seen ready without an MP4 (the grace period for static renditions). */
    waitingSince: integer("waiting_since"),
    stateChangedAt: integer("state_changed_at").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("objects_bucket_asset_uq").on(t.bucketId, t.assetId),
    index("objects_feed_idx").on(t.bucketId, t.updatedAt, t.id),
    index("objects_state_idx").on(t.bucketId, t.state),
    index("objects_sync_state_idx").on(t.syncId, t.state),
  ],
);

export const objectHistory = sqliteTable(
  "object_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    objectId: text("object_id").notNull(),
    state: text("state").$type<ObjectState>().notNull(),
    reason: text("reason"),
    message: text("message"),
    at: integer("at").notNull(),
  },
  (t) => [index("object_history_object_idx").on(t.objectId, t.id)],
);

export type DeliveryStatus = "pending" | "delivered" | "failed" | "superseded";

export const deliveries = sqliteTable(
  "deliveries",
  {
    /** Stable across retries so the pipeline can deduplicate: `{object id}.v{version}`. */
    id: text("id").primaryKey(),
    objectId: text("object_id").notNull(),
    bucketId: text("bucket_id").notNull(),
    type: text("type").$type<"object.ready" | "object.deleted">().notNull(),
    /** The object version this delivery announces; a newer version supersedes it. */
    objectVersion: integer("object_version").notNull(),
    /** The last body sent (the body is built at send time so signed URLs are fresh). */
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>(),
    status: text("status").$type<DeliveryStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [index("deliveries_object_idx").on(t.objectId)],
);

export type RunKind = "initial" | "scheduled" | "triggered" | "full";
export type RunStatus = "queued" | "running" | "succeeded" | "failed";

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    syncId: text("sync_id").notNull(),
    kind: text("kind").$type<RunKind>().notNull(),
    status: text("status").$type<RunStatus>().notNull().default("queued"),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    pages: integer("pages").notNull().default(0),
    apiCalls: integer("api_calls").notNull().default(0),
    assetsSeen: integer("assets_seen").notNull().default(0),
    enqueued: integer("enqueued").notNull().default(0),
    repaired: integer("repaired").notNull().default(0),
    rechecked: integer("rechecked").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    message: text("message"),
    /** Where a listing stopped, so a pass cut short (Workers limits) resumes instead of restarting. */
    cursor: text("cursor"),
    newestCreatedS: integer("newest_created_s"),
  },
  (t) => [index("runs_sync_idx").on(t.syncId, t.startedAt)],
);

export const schema = {
  connections,
  buckets,
  syncs,
  webhookEvents,
  jobs,
  objects,
  objectHistory,
  deliveries,
  runs,
};

/** `sql` re-exported for modules that only need the tag alongside the tables. */
export { sql };
