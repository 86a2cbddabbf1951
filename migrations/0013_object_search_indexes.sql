-- Written and reviewed by hand (expression indexes: drizzle-kit models none, and the schema's
-- objects table is left as it is): the console's objects browser searches a bucket by title,
-- passthrough or external id as a case-insensitive (ASCII) prefix, each page one range of one of
-- these indexes instead of a scan of the bucket's metadata. The expressions are the ones the
-- queries use (`METADATA_SEARCH_INDEXES` in src/resources/object-browser.ts); SQLite uses an
-- expression index only for the same expression.
CREATE INDEX `objects_title_search_idx` ON `objects` (`bucket_id`, lower(json_extract(metadata, '$.title')));
--> statement-breakpoint
CREATE INDEX `objects_passthrough_search_idx` ON `objects` (`bucket_id`, lower(json_extract(metadata, '$.passthrough')));
--> statement-breakpoint
CREATE INDEX `objects_external_id_search_idx` ON `objects` (`bucket_id`, lower(json_extract(metadata, '$.external_id')));
