-- Reviewed by hand. Two new tables (dashboard sessions, failed sign-ins per client), four nullable or
-- defaulted bucket columns (its own sealed pipeline secret, the one being rotated out and until when,
-- their masks), and webhook_events rebuilt with the primary key (connection_id, id) so that two
-- connections on one environment each record, and act on, the same Mux event. No foreign key points
-- at webhook_events and it has none, so the rebuild needs no foreign-key pragma (D1 rejects it anyway);
-- every existing row is copied: event ids were unique before, so they are unique per connection.
-- Buckets keep a null secret here; start-up seals PIPELINE_SECRET into those with a pipeline_url.
CREATE TABLE `admin_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`token_fingerprint` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `admin_sessions_expires_idx` ON `admin_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `sign_in_failures` (
	`client` text PRIMARY KEY NOT NULL,
	`window_started_at` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `__new_webhook_events` (
	`id` text NOT NULL,
	`connection_id` text NOT NULL,
	`type` text NOT NULL,
	`asset_id` text,
	`outcome` text NOT NULL,
	`jobs_enqueued` integer DEFAULT 0 NOT NULL,
	`nonce` text NOT NULL,
	`event_created_at` integer,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`connection_id`, `id`)
);
--> statement-breakpoint
INSERT INTO `__new_webhook_events`("id", "connection_id", "type", "asset_id", "outcome", "jobs_enqueued", "nonce", "event_created_at", "received_at") SELECT "id", "connection_id", "type", "asset_id", "outcome", "jobs_enqueued", "nonce", "event_created_at", "received_at" FROM `webhook_events`;--> statement-breakpoint
DROP TABLE `webhook_events`;--> statement-breakpoint
ALTER TABLE `__new_webhook_events` RENAME TO `webhook_events`;--> statement-breakpoint
CREATE INDEX `webhook_events_received_idx` ON `webhook_events` (`received_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_asset_idx` ON `webhook_events` (`asset_id`);--> statement-breakpoint
ALTER TABLE `buckets` ADD `pipeline_secret` text;--> statement-breakpoint
ALTER TABLE `buckets` ADD `pipeline_secret_previous` text;--> statement-breakpoint
ALTER TABLE `buckets` ADD `pipeline_secret_previous_until` integer;--> statement-breakpoint
ALTER TABLE `buckets` ADD `secret_hints` text DEFAULT '{}' NOT NULL;