-- Reviewed by hand: one new table, nothing else. Retention (src/sync/retention.ts) keeps where
-- its walks stand in one row, so a Worker isolate or a restarted process carries on from there.
CREATE TABLE `retention_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`state` text NOT NULL
);
