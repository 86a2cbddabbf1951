-- Written and reviewed by hand (no schema change, so drizzle-kit has nothing to generate): objects
-- were counted twice, by state in `gauge_counts` (0006) and by bucket, state and reason in
-- `object_counts` (0009). `/metrics` now sums `object_counts` by state, so the first count, its
-- three triggers on every object write, and its rows go.
DROP TRIGGER IF EXISTS `objects_count_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `objects_count_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `objects_count_delete`;
--> statement-breakpoint
DELETE FROM gauge_counts WHERE family = 'objects';
