-- Reviewed by hand: column additions only, plus one data update.
-- Objects the pipeline has, or may have been sent (delivered, or with an object.ready in the outbox)
-- are marked announced ('legacy': the view they were announced with is the row's own), so that their
-- departure is announced; delivered ones are acknowledged, so their changes go out as object.updated.
ALTER TABLE `connections` ADD `environment_id` text;--> statement-breakpoint
ALTER TABLE `connections` ADD `environment_name` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `objects` ADD `announced_view` text;--> statement-breakpoint
ALTER TABLE `objects` ADD `acknowledged` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `objects` ADD `pending_deletion_at` integer;--> statement-breakpoint
ALTER TABLE `objects` ADD `unannounced_deletion_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `last_listed_created_s` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `order_violation` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `reevaluate` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `syncs` ADD `suspension` text;--> statement-breakpoint
UPDATE `objects` SET `announced_view` = 'legacy', `acknowledged` = CASE WHEN `state` = 'delivered' THEN 1 ELSE 0 END
  WHERE `state` = 'delivered' OR EXISTS (SELECT 1 FROM `deliveries` d WHERE d.`object_id` = `objects`.`id` AND d.`type` = 'object.ready' AND d.`status` != 'superseded');
