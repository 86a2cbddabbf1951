-- Reviewed by hand. The count tables and the index come from drizzle-kit; the triggers and the
-- backfill below are written by hand (drizzle-kit does not model triggers, and never drops them).
-- Each trigger adjusts one count row in the statement that changed the counted row, so the counts
-- are exact at every commit and a scrape reads a few rows. The backfill counts the existing rows
-- once, before any trigger exists, so nothing is counted twice.
CREATE TABLE `gauge_counts` (
	`family` text NOT NULL,
	`k1` text NOT NULL,
	`k2` text DEFAULT '' NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	`sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`family`, `k1`, `k2`)
);
--> statement-breakpoint
CREATE TABLE `job_counts` (
	`type` text NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`type`, `status`)
);
--> statement-breakpoint
CREATE INDEX `deliveries_delivered_idx` ON `deliveries` (`delivered_at`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_type_due_idx` ON `jobs` (`status`,`type`,`available_at`);--> statement-breakpoint
INSERT INTO gauge_counts (family, k1, k2, n, sum) SELECT 'objects', state, '', COUNT(*), 0 FROM objects GROUP BY state;
--> statement-breakpoint
INSERT INTO gauge_counts (family, k1, k2, n, sum) SELECT 'deliveries', status, '', COUNT(*), 0 FROM deliveries GROUP BY status;
--> statement-breakpoint
INSERT INTO gauge_counts (family, k1, k2, n, sum) SELECT 'runs', kind, status, COUNT(*), COALESCE(SUM(repaired), 0) FROM runs GROUP BY kind, status;
--> statement-breakpoint
INSERT INTO job_counts (type, status, n) SELECT type, status, COUNT(*) FROM jobs GROUP BY type, status;
--> statement-breakpoint
CREATE TRIGGER `objects_count_insert` AFTER INSERT ON `objects`
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('objects', NEW.state, '', 1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `objects_count_update` AFTER UPDATE OF `state` ON `objects`
  WHEN OLD.state IS NOT NEW.state
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('objects', OLD.state, '', -1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('objects', NEW.state, '', 1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `objects_count_delete` AFTER DELETE ON `objects`
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('objects', OLD.state, '', -1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_count_insert` AFTER INSERT ON `deliveries`
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('deliveries', NEW.status, '', 1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_count_update` AFTER UPDATE OF `status` ON `deliveries`
  WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('deliveries', OLD.status, '', -1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('deliveries', NEW.status, '', 1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_count_delete` AFTER DELETE ON `deliveries`
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('deliveries', OLD.status, '', -1, 0)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_insert` AFTER INSERT ON `runs`
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('runs', NEW.kind, NEW.status, 1, NEW.repaired)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_update` AFTER UPDATE OF `kind`, `status`, `repaired` ON `runs`
  WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.repaired IS NOT NEW.repaired
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('runs', OLD.kind, OLD.status, -1, -OLD.repaired)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('runs', NEW.kind, NEW.status, 1, NEW.repaired)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_delete` AFTER DELETE ON `runs`
BEGIN
  INSERT INTO gauge_counts (family, k1, k2, n, sum) VALUES ('runs', OLD.kind, OLD.status, -1, -OLD.repaired)
    ON CONFLICT (family, k1, k2) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum;
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_count_insert` AFTER INSERT ON `jobs`
BEGIN
  INSERT INTO job_counts (type, status, n) VALUES (NEW.type, NEW.status, 1)
    ON CONFLICT (type, status) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_count_update` AFTER UPDATE OF `type`, `status` ON `jobs`
  WHEN OLD.type IS NOT NEW.type OR OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO job_counts (type, status, n) VALUES (OLD.type, OLD.status, -1)
    ON CONFLICT (type, status) DO UPDATE SET n = n + excluded.n;
  INSERT INTO job_counts (type, status, n) VALUES (NEW.type, NEW.status, 1)
    ON CONFLICT (type, status) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_count_delete` AFTER DELETE ON `jobs`
BEGIN
  INSERT INTO job_counts (type, status, n) VALUES (OLD.type, OLD.status, -1)
    ON CONFLICT (type, status) DO UPDATE SET n = n + excluded.n;
END;
