-- Reviewed by hand: indexes only, nothing else. Retention (src/sync/retention.ts) picks each batch
-- from the rows older than its cutoff, newest first, through these two indexes, so a batch reads
-- at most its own rows and never scans a table that grows (deliveries by created_at, with the
-- rowid as the tie-break; object_history by (at, id)).
CREATE INDEX `deliveries_created_idx` ON `deliveries` (`created_at`);--> statement-breakpoint
CREATE INDEX `object_history_at_idx` ON `object_history` (`at`,`id`);