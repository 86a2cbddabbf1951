-- Reviewed by hand. The table comes from drizzle-kit; the triggers are written by hand (drizzle-kit
-- does not model triggers). Each trigger adds one to its series' ten-minute bucket in the
-- statement that wrote the counted row, so the activity page reads a day of small rows instead
-- of scanning history: a webhook event recorded (a duplicate inserts nothing, so counts nothing),
-- a delivery the pipeline accepted (and its latency bin, the bounds of `LATENCY_BINS_MS` in
-- `src/db/activity.ts`), an object that became failed. Repairs and Mux 429s are counted by the
-- code that sees them (`countActivityStatement`). Nothing is backfilled: the history before this
-- migration was never bucketed, and the page says what it counts from.
CREATE TABLE `activity_buckets` (
	`bucket_start` integer NOT NULL,
	`series` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`bucket_start`, `series`)
);
--> statement-breakpoint
CREATE TRIGGER `activity_webhook_insert` AFTER INSERT ON `webhook_events`
BEGIN
  INSERT INTO activity_buckets (bucket_start, series, n) VALUES (NEW.received_at - (NEW.received_at % 600000), 'webhooks', 1)
    ON CONFLICT (bucket_start, series) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `activity_delivered_update` AFTER UPDATE OF `status` ON `deliveries`
  WHEN NEW.status = 'delivered' AND OLD.status IS NOT 'delivered' AND NEW.delivered_at IS NOT NULL
BEGIN
  INSERT INTO activity_buckets (bucket_start, series, n) VALUES (NEW.delivered_at - (NEW.delivered_at % 600000), 'delivered', 1)
    ON CONFLICT (bucket_start, series) DO UPDATE SET n = n + excluded.n;
  INSERT INTO activity_buckets (bucket_start, series, n) VALUES (NEW.delivered_at - (NEW.delivered_at % 600000),
    CASE
      WHEN NEW.delivered_at - NEW.created_at <= 50 THEN 'latency_00'
      WHEN NEW.delivered_at - NEW.created_at <= 100 THEN 'latency_01'
      WHEN NEW.delivered_at - NEW.created_at <= 250 THEN 'latency_02'
      WHEN NEW.delivered_at - NEW.created_at <= 500 THEN 'latency_03'
      WHEN NEW.delivered_at - NEW.created_at <= 1000 THEN 'latency_04'
      WHEN NEW.delivered_at - NEW.created_at <= 2500 THEN 'latency_05'
      WHEN NEW.delivered_at - NEW.created_at <= 5000 THEN 'latency_06'
      WHEN NEW.delivered_at - NEW.created_at <= 10000 THEN 'latency_07'
      WHEN NEW.delivered_at - NEW.created_at <= 30000 THEN 'latency_08'
      WHEN NEW.delivered_at - NEW.created_at <= 60000 THEN 'latency_09'
      WHEN NEW.delivered_at - NEW.created_at <= 300000 THEN 'latency_10'
      WHEN NEW.delivered_at - NEW.created_at <= 900000 THEN 'latency_11'
      WHEN NEW.delivered_at - NEW.created_at <= 3600000 THEN 'latency_12'
      ELSE 'latency_13'
    END, 1)
    ON CONFLICT (bucket_start, series) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `activity_failure_insert` AFTER INSERT ON `objects`
  WHEN NEW.state = 'failed'
BEGIN
  INSERT INTO activity_buckets (bucket_start, series, n) VALUES (NEW.state_changed_at - (NEW.state_changed_at % 600000), 'failures', 1)
    ON CONFLICT (bucket_start, series) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `activity_failure_update` AFTER UPDATE OF `state` ON `objects`
  WHEN NEW.state = 'failed' AND OLD.state IS NOT 'failed'
BEGIN
  INSERT INTO activity_buckets (bucket_start, series, n) VALUES (NEW.state_changed_at - (NEW.state_changed_at % 600000), 'failures', 1)
    ON CONFLICT (bucket_start, series) DO UPDATE SET n = n + excluded.n;
END;
