-- Reviewed by hand. The table and the two columns come from drizzle-kit; the triggers are written
-- by hand (drizzle-kit does not model triggers). An attempt is recorded by the statement that
-- counts it on `deliveries` (attempts + 1, with last_attempt_at, last_status, last_error), so the
-- deliver job spends no statement more on Node or D1; the newest 20 per delivery are kept
-- (`DELIVERY_ATTEMPTS_KEPT` in src/db/delivery-attempts.ts, held by a test), and a delivery's
-- attempts go with it. `object_history.run_id` names the pass whose check made a change. Nothing
-- is backfilled: attempts before this migration were only counted, and passes were not named.
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`status` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery_idx` ON `delivery_attempts` (`delivery_id`,`id`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `last_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `object_history` ADD `run_id` text;--> statement-breakpoint
CREATE TRIGGER `delivery_attempt_counted` AFTER UPDATE OF `attempts` ON `deliveries`
  WHEN NEW.attempts > OLD.attempts
BEGIN
  INSERT INTO delivery_attempts (delivery_id, attempt, at, status, error)
    VALUES (NEW.id, NEW.attempts, COALESCE(NEW.last_attempt_at, NEW.delivered_at, NEW.created_at), NEW.last_status, NEW.last_error);
  DELETE FROM delivery_attempts WHERE delivery_id = NEW.id AND id <= (
    SELECT kept.id FROM delivery_attempts AS kept WHERE kept.delivery_id = NEW.id ORDER BY kept.id DESC LIMIT 1 OFFSET 20);
END;
--> statement-breakpoint
CREATE TRIGGER `delivery_attempts_deleted` AFTER DELETE ON `deliveries`
BEGIN
  DELETE FROM delivery_attempts WHERE delivery_id = OLD.id;
END;
