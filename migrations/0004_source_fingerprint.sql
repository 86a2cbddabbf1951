-- Reviewed by hand: one nullable column. Existing objects have no fingerprint, so the first sweep
-- that lists them re-judges each once (from its listing snapshot) and records one.
ALTER TABLE `objects` ADD `source_fingerprint` text;
