-- Reviewed by hand. The table, the column and the indexes come from drizzle-kit, reordered so the
-- backfills run before the new indexes exist (one index build instead of a million updates of
-- it); the backfills and the triggers are written by hand (drizzle-kit models neither).
-- `objects.feed_seq` is the object's latest `object_history` id, set by the trigger on that
-- table, so the change feed pages one index range instead of joining every object of a bucket
-- to its history. `object_counts` is kept like the counts of migration 0006, so the dashboard
-- and `status` never count a bucket; its backfill runs before its triggers exist.
CREATE TABLE `object_counts` (
	`bucket_id` text NOT NULL,
	`state` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bucket_id`, `state`, `reason`)
);
--> statement-breakpoint
ALTER TABLE `objects` ADD `feed_seq` integer;--> statement-breakpoint
UPDATE objects SET feed_seq = (SELECT MAX(h.id) FROM object_history h WHERE h.object_id = objects.id);
--> statement-breakpoint
INSERT INTO object_counts (bucket_id, state, reason, n) SELECT bucket_id, state, COALESCE(reason, ''), COUNT(*) FROM objects GROUP BY bucket_id, state, COALESCE(reason, '');
--> statement-breakpoint
DROP INDEX `deliveries_object_idx`;--> statement-breakpoint
CREATE INDEX `deliveries_object_version_idx` ON `deliveries` (`object_id`,`object_version`);--> statement-breakpoint
DROP INDEX `objects_feed_idx`;--> statement-breakpoint
DROP INDEX `objects_state_idx`;--> statement-breakpoint
CREATE INDEX `objects_feed_seq_idx` ON `objects` (`bucket_id`,`feed_seq`);--> statement-breakpoint
CREATE INDEX `objects_state_feed_idx` ON `objects` (`bucket_id`,`state`,`feed_seq`);--> statement-breakpoint
CREATE INDEX `objects_reason_feed_idx` ON `objects` (`bucket_id`,`reason`,`feed_seq`);--> statement-breakpoint
CREATE INDEX `objects_sync_id_idx` ON `objects` (`sync_id`,`id`);--> statement-breakpoint
CREATE INDEX `objects_failed_idx` ON `objects` (`state_changed_at`) WHERE state = 'failed';--> statement-breakpoint
CREATE TRIGGER `object_history_feed_seq` AFTER INSERT ON `object_history`
BEGIN
  UPDATE objects SET feed_seq = NEW.id WHERE id = NEW.object_id;
END;
--> statement-breakpoint
CREATE TRIGGER `objects_bucket_count_insert` AFTER INSERT ON `objects`
BEGIN
  INSERT INTO object_counts (bucket_id, state, reason, n) VALUES (NEW.bucket_id, NEW.state, COALESCE(NEW.reason, ''), 1)
    ON CONFLICT (bucket_id, state, reason) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `objects_bucket_count_update` AFTER UPDATE OF `bucket_id`, `state`, `reason` ON `objects`
  WHEN OLD.bucket_id IS NOT NEW.bucket_id OR OLD.state IS NOT NEW.state OR OLD.reason IS NOT NEW.reason
BEGIN
  INSERT INTO object_counts (bucket_id, state, reason, n) VALUES (OLD.bucket_id, OLD.state, COALESCE(OLD.reason, ''), -1)
    ON CONFLICT (bucket_id, state, reason) DO UPDATE SET n = n + excluded.n;
  INSERT INTO object_counts (bucket_id, state, reason, n) VALUES (NEW.bucket_id, NEW.state, COALESCE(NEW.reason, ''), 1)
    ON CONFLICT (bucket_id, state, reason) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `objects_bucket_count_delete` AFTER DELETE ON `objects`
BEGIN
  INSERT INTO object_counts (bucket_id, state, reason, n) VALUES (OLD.bucket_id, OLD.state, COALESCE(OLD.reason, ''), -1)
    ON CONFLICT (bucket_id, state, reason) DO UPDATE SET n = n + excluded.n;
END;
