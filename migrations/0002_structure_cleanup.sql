-- Reviewed by hand: a new table and two column drops, no table recreate (safe on tables with rows).
-- job_messages replaces jobs.message_due_at (Workers only). Marks of messages in flight during the
-- upgrade are not carried over: those jobs get a second message, which the claim's compare-and-swap
-- makes harmless. objects.webhook_seen_at was never written.
CREATE TABLE `job_messages` (
	`job_id` text PRIMARY KEY NOT NULL,
	`due_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `jobs` DROP COLUMN `message_due_at`;--> statement-breakpoint
ALTER TABLE `objects` DROP COLUMN `webhook_seen_at`;