-- Reviewed by hand (drizzle-kit's own statement). Delivery latency is observed when the pipeline
-- accepts a delivery (src/jobs/deliver.ts → Metrics.deliveryAccepted), no longer read back by
-- each scrape, so nothing reads deliveries by (delivered_at, id): the index only cost every
-- accepted delivery an index write, and the file its pages.
DROP INDEX `deliveries_delivered_idx`;
