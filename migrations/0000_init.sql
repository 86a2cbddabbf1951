CREATE TABLE `buckets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`pipeline_url` text,
	`origin` text DEFAULT 'api' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`provider` text DEFAULT 'mux' NOT NULL,
	`access_token_id` text NOT NULL,
	`access_token_secret` text NOT NULL,
	`webhook_secrets` text,
	`signing_key_id` text,
	`signing_private_key` text,
	`secret_hints` text DEFAULT '{}' NOT NULL,
	`origin` text DEFAULT 'api' NOT NULL,
	`last_test_at` integer,
	`last_test_success` integer,
	`last_test_message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`object_id` text NOT NULL,
	`bucket_id` text NOT NULL,
	`type` text NOT NULL,
	`object_version` integer NOT NULL,
	`payload` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE INDEX `deliveries_object_idx` ON `deliveries` (`object_id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`type` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`available_at` integer NOT NULL,
	`lease_id` text,
	`locked_until` integer,
	`rerun` integer DEFAULT false NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_queue_key_uq` ON `jobs` (`queue`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `jobs_claim_idx` ON `jobs` (`queue`,`status`,`available_at`);--> statement-breakpoint
CREATE TABLE `object_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`object_id` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`message` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `object_history_object_idx` ON `object_history` (`object_id`,`id`);--> statement-breakpoint
CREATE TABLE `objects` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket_id` text NOT NULL,
	`sync_id` text NOT NULL,
	`asset_id` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`message` text,
	`playback_id` text,
	`playback_policy` text,
	`rendition` text,
	`metadata` text,
	`version` integer DEFAULT 1 NOT NULL,
	`write_token` text NOT NULL,
	`discovered_via` text NOT NULL,
	`webhook_seen_at` integer,
	`last_seen_at` integer,
	`waiting_since` integer,
	`state_changed_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`bucket_id`) REFERENCES `buckets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `objects_bucket_asset_uq` ON `objects` (`bucket_id`,`asset_id`);--> statement-breakpoint
CREATE INDEX `objects_feed_idx` ON `objects` (`bucket_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `objects_state_idx` ON `objects` (`bucket_id`,`state`);--> statement-breakpoint
CREATE INDEX `objects_sync_state_idx` ON `objects` (`sync_id`,`state`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`sync_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`pages` integer DEFAULT 0 NOT NULL,
	`api_calls` integer DEFAULT 0 NOT NULL,
	`assets_seen` integer DEFAULT 0 NOT NULL,
	`enqueued` integer DEFAULT 0 NOT NULL,
	`repaired` integer DEFAULT 0 NOT NULL,
	`rechecked` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`message` text,
	`cursor` text,
	`newest_created_s` integer
);
--> statement-breakpoint
CREATE INDEX `runs_sync_idx` ON `runs` (`sync_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `syncs` (
	`id` text PRIMARY KEY NOT NULL,
	`bucket_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`source_path` text DEFAULT 'mux://' NOT NULL,
	`sync_mode` text DEFAULT 'continuous' NOT NULL,
	`polling_interval_seconds` integer DEFAULT 300 NOT NULL,
	`file_filters` text DEFAULT '{}' NOT NULL,
	`rendition_preference` text,
	`status` text DEFAULT 'active' NOT NULL,
	`status_reason` text,
	`origin` text DEFAULT 'api' NOT NULL,
	`next_run_at` integer,
	`watermark_created_s` integer,
	`last_full_sweep_at` integer,
	`snapshot_at` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`bucket_id`) REFERENCES `buckets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `syncs_connection_idx` ON `syncs` (`connection_id`);--> statement-breakpoint
CREATE INDEX `syncs_due_idx` ON `syncs` (`status`,`next_run_at`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL,
	`type` text NOT NULL,
	`asset_id` text,
	`outcome` text NOT NULL,
	`jobs_enqueued` integer DEFAULT 0 NOT NULL,
	`nonce` text NOT NULL,
	`event_created_at` integer,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_events_received_idx` ON `webhook_events` (`received_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_asset_idx` ON `webhook_events` (`asset_id`);