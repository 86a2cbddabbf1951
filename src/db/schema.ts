/**
 * The whole relational model in one module, shared by better-sqlite3 (Node) and D1 (Workers).
 *
 * Conventions:
 * - Times are integer milliseconds since the epoch (`*_at`), except where a column says `_s`.
 * - JSON documents are TEXT columns in `mode: "json"` so drizzle (de)serialises them.
 * - Ids are opaque prefixed strings (`con_…`, `bkt_…`) made by `newId`; webhook events keep Mux's id.
 * - The sets of values a column may hold are stated here once, as `const` lists with their union
 *   types; validation, the API and the dashboard import them rather than spelling them again.
 *
 * The JSON documents some columns hold are typed in `documents.ts`. The queue's tables are the
 * queue's own (`src/queue/tables.ts`); the service's counts and retention's progress are in
 * `bookkeeping.ts`, the dashboard's sessions in `session-tables.ts`, the static renditions asked
 * of Mux in `rendition-requests.ts`.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { gaugeCounts, objectCounts, retentionState } from "./bookkeeping";
import type {
  BucketSecretHints,
  ObjectMetadata,
  RenditionRecord,
  SecretHints,
  TrackRecord,
} from "./documents";
import { renditionRequests } from "./rendition-requests";
import { adminSessions, signInFailures } from "./session-tables";

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
  /**
   * The Mux environment the token belongs to (`whoami`), pinned on first successful use. A token
   * that later resolves to another environment suspends the syncs and deletes nothing.
   */
  environmentId: text("environment_id"),
  environmentName: text("environment_name"),
  /**
   * Whether the token can write (create static renditions): true after a create Mux accepted or
   * a whoami listing write, false after a create answered 403 (the ground truth), null unknown.
   */
  writePermission: integer("write_permission", { mode: "boolean" }),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const buckets = sqliteTable("buckets", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  pipelineUrl: text("pipeline_url"),
  /** Ciphertext of the Standard Webhooks secret (`whsec_…`) this bucket's deliveries are signed with. */
  pipelineSecret: text("pipeline_secret"),
  /** Ciphertext of the secret being rotated out: deliveries carry both signatures until `pipeline_secret_previous_until`. */
  pipelineSecretPrevious: text("pipeline_secret_previous"),
  pipelineSecretPreviousUntil: integer("pipeline_secret_previous_until"),
  secretHints: text("secret_hints", { mode: "json" }).$type<BucketSecretHints>().notNull().default({}),
  origin: text("origin").notNull().default("api"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const SYNC_STATUSES = ["active", "paused", "completed", "suspended"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Why a sync is suspended: what a person has to look at before it runs again. */
export const SUSPENSIONS = ["failing", "environment_changed", "deletion_guard"] as const;
export type Suspension = (typeof SUSPENSIONS)[number];

export const SYNC_MODES = ["initial_only", "continuous"] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

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
    syncMode: text("sync_mode").$type<SyncMode>().notNull().default("continuous"),
    pollingIntervalSeconds: integer("polling_interval_seconds").notNull().default(300),
    fileFilters: text("file_filters", { mode: "json" })
      .$type<Record<string, unknown>>()
      .notNull()
      .default({}),
    renditionPreference: text("rendition_preference", { mode: "json" }).$type<string[] | null>(),
    /** Static Renditions API resolutions to ask Mux for when a ready asset has none of them. */
    createRenditions: text("create_renditions", { mode: "json" }).$type<string[]>().notNull().default([]),
    removeCreatedRenditions: integer("remove_created_renditions", { mode: "boolean" })
      .notNull()
      .default(false),
    /** What `object.ready` waits for besides the MP4 (`captions`), at most `wait_for_grace_seconds`. */
    waitFor: text("wait_for", { mode: "json" }).$type<string[]>().notNull().default([]),
    waitForGraceSeconds: integer("wait_for_grace_seconds").notNull().default(3600),
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
    /** While `status` is `suspended`: why (`status_reason` says it for a person). */
    suspension: text("suspension").$type<Suspension>(),
    /** Lease that keeps two pollers (or processes) from running one sync at once. */
    leaseOwner: text("lease_owner"),
    leaseUntil: integer("lease_until"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("syncs_connection_idx").on(t.connectionId), index("syncs_due_idx").on(t.status, t.nextRunAt)],
);

/** What became of a verified webhook: jobs queued, a type we do not act on, no asset named, no sync concerned. */
export const WEBHOOK_OUTCOMES = ["enqueued", "ignored", "no_asset_id", "no_sync"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    /** Mux's event id; with the connection, the deduplication key (two connections may share an environment). */
    id: text("id").notNull(),
    connectionId: text("connection_id").notNull(),
    type: text("type").notNull(),
    assetId: text("asset_id"),
    outcome: text("outcome").$type<WebhookOutcome>().notNull(),
    jobsEnqueued: integer("jobs_enqueued").notNull().default(0),
    /** A per-request random value: lets later statements of the same atomic batch know the insert won. */
    nonce: text("nonce").notNull(),
    eventCreatedAt: integer("event_created_at"),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.id] }),
    index("webhook_events_received_idx").on(t.receivedAt),
    index("webhook_events_asset_idx").on(t.assetId),
  ],
);

export const OBJECT_STATES = [
  "waiting_for_asset",
  "waiting_for_rendition",
  "ready",
  "delivered",
  "skipped",
  "failed",
  "deleted",
] as const;
export type ObjectState = (typeof OBJECT_STATES)[number];

/** Why an object is `skipped`: each one names something a person can change in Mux or in the sync. */
export const SKIP_REASONS = [
  "asset_errored",
  "no_playback_id",
  "drm_only",
  "signed_without_key",
  "filtered",
  "no_static_renditions",
  "no_write_permission",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Why an object is `failed`: which job gave up. */
export const FAILURE_REASONS = ["ingest_failed", "download_failed", "delivery_failed"] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const DELETION_REASONS = ["deleted_in_mux"] as const;
export type DeletionReason = (typeof DELETION_REASONS)[number];

/** Why an object left the pipeline's set (`object.deleted`'s `data.reason`, DESIGN §2). */
export const LEAVE_REASONS = ["deleted_in_mux", "filtered", "no_rendition", "no_playback_id"] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

/** Why an object waits on something the sync asked for, not on Mux alone (`create_renditions`, `wait_for`). */
export const WAITING_REASONS = ["rendition_requested", "waiting_for_captions"] as const;
export type WaitingReason = (typeof WAITING_REASONS)[number];

export type ObjectReason = SkipReason | FailureReason | DeletionReason | WaitingReason;

/** How work on an asset was started: a webhook, a reconciliation pass, or a person. */
export const TRIGGERS = ["webhook", "poll", "trigger"] as const;
export type Trigger = (typeof TRIGGERS)[number];

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
    /** Machine-readable reason (`ObjectReason`). */
    reason: text("reason").$type<ObjectReason>(),
    /** The same reason, for a person. */
    message: text("message"),
    playbackId: text("playback_id"),
    playbackPolicy: text("playback_policy"),
    rendition: text("rendition", { mode: "json" }).$type<RenditionRecord | null>(),
    metadata: text("metadata", { mode: "json" }).$type<ObjectMetadata | null>(),
    /** The asset's ready text tracks and its audio tracks, from the fresh read (null: none read yet). */
    tracks: text("tracks", { mode: "json" }).$type<TrackRecord[] | null>(),
    /** Bumped on every state change; the delivery id is derived from it, and it guards writes (CAS). */
    version: integer("version").notNull().default(1),
    /** Random per write: later statements of the same atomic batch check it to know the write won. */
    writeToken: text("write_token").notNull(),
    /** How we first learned of the asset. */
    discoveredVia: text("discovered_via").$type<Trigger>().notNull(),
    /** When a listing last showed the asset: a full sweep that does not see it checks for deletion. */
    lastSeenAt: integer("last_seen_at"),
    /** When the asset was first seen ready without an MP4 (the grace period for static renditions). */
    waitingSince: integer("waiting_since"),
    /** When the object first had all `object.ready` needs but what the sync's `wait_for` names: its grace runs from here. */
    waitForSince: integer("wait_for_since"),
    /** When that grace ran out and the object went on without what it waited for. */
    waitForExpiredAt: integer("wait_for_expired_at"),
    /**
     * What the pipeline has or may have been sent (`pipelineViewKey`): set when an `object.ready`
     * or `object.updated` is written to the outbox, null once an `object.deleted` is. Non-null
     * means a departure must be announced.
     */
    announcedView: text("announced_view"),
    /** The pipeline acknowledged the object as a member (and no deletion since): changes go out as `object.updated`. */
    acknowledged: integer("acknowledged", { mode: "boolean" }).notNull().default(false),
    /** Held by the deletion guard: Mux answered 404 but the deletion waits for a person. */
    pendingDeletionAt: integer("pending_deletion_at"),
    /** When a deletion Mux did not announce (a 404, no `video.asset.deleted`) was applied: the guard counts them. */
    unannouncedDeletionAt: integer("unannounced_deletion_at"),
    /** `assetFingerprint` of the asset as last judged: a listing showing another one re-judges it. */
    sourceFingerprint: text("source_fingerprint"),
    stateChangedAt: integer("state_changed_at").notNull(),
    /**
     * The id of the object's latest `object_history` row, set by a trigger on that table (so no
     * writer can forget it): the object's position in the change feed, which pages by it.
     */
    feedSeq: integer("feed_seq"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("objects_bucket_asset_uq").on(t.bucketId, t.assetId),
    // The change feed, unfiltered and by state or by reason: each page one index range.
    index("objects_feed_seq_idx").on(t.bucketId, t.feedSeq),
    index("objects_state_feed_idx").on(t.bucketId, t.state, t.feedSeq),
    index("objects_reason_feed_idx").on(t.bucketId, t.reason, t.feedSeq),
    index("objects_sync_state_idx").on(t.syncId, t.state),
    // A full sweep's deletion check pages a sync's objects in id order.
    index("objects_sync_id_idx").on(t.syncId, t.id),
    // The dashboard's recent failures, newest first, without reading the other objects.
    index("objects_failed_idx").on(t.stateChangedAt).where(sql`state = 'failed'`),
  ],
);

export type ObjectRow = typeof objects.$inferSelect;

export const objectHistory = sqliteTable(
  "object_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    objectId: text("object_id").notNull(),
    state: text("state").$type<ObjectState>().notNull(),
    reason: text("reason").$type<ObjectReason>(),
    message: text("message"),
    /** The reconciliation pass whose check made this change; null for webhooks and people. */
    runId: text("run_id"),
    at: integer("at").notNull(),
  },
  (t) => [
    index("object_history_object_idx").on(t.objectId, t.id),
    // Retention walks the rows older than its cutoff, newest first (src/sync/retention.ts).
    index("object_history_at_idx").on(t.at, t.id),
  ],
);

export const DELIVERY_STATUSES = ["pending", "delivered", "failed", "superseded"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a delivery tells the pipeline (DESIGN §6). */
export const DELIVERY_TYPES = ["object.ready", "object.updated", "object.deleted"] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

export const deliveries = sqliteTable(
  "deliveries",
  {
    /** Stable across retries so the pipeline can deduplicate: `{object id}.v{version}`. */
    id: text("id").primaryKey(),
    objectId: text("object_id").notNull(),
    bucketId: text("bucket_id").notNull(),
    type: text("type").$type<DeliveryType>().notNull(),
    /** The object version this delivery announces; a newer version supersedes it. */
    objectVersion: integer("object_version").notNull(),
    /** The last body sent (the body is built at send time so signed URLs are fresh). */
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>(),
    status: text("status").$type<DeliveryStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    /** When the last attempt was made (its row in `delivery_attempts` is written from these columns). */
    lastAttemptAt: integer("last_attempt_at"),
    /** For `object.deleted`: why the object left. */
    reason: text("reason").$type<LeaveReason>(),
    createdAt: integer("created_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    // An object's deliveries newest version first (its detail, the latest delivery's status).
    index("deliveries_object_version_idx").on(t.objectId, t.objectVersion),
    // Retention walks the deliveries older than its cutoff, newest first (src/sync/retention.ts).
    index("deliveries_created_idx").on(t.createdAt),
  ],
);

export const RUN_KINDS = ["initial", "scheduled", "triggered", "full"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

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
    /** The `created_at` of the last asset listed, to check the order across pages (and job runs). */
    lastListedCreatedS: integer("last_listed_created_s"),
    /** The listing was not newest first, so the pass carried on as a full sweep. */
    orderViolation: integer("order_violation", { mode: "boolean" }).notNull().default(false),
    /** Re-evaluate every listed asset, members included (the sync's selection changed). */
    reevaluate: integer("reevaluate", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("runs_sync_idx").on(t.syncId, t.startedAt)],
);

export const schema = {
  connections,
  buckets,
  syncs,
  webhookEvents,
  objects,
  objectHistory,
  deliveries,
  runs,
  adminSessions,
  signInFailures,
  gaugeCounts,
  retentionState,
  objectCounts,
  renditionRequests,
};
