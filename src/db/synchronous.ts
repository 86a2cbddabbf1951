/**
 * How hard a commit on the Node driver waits for the disk (SQLite's `PRAGMA synchronous`, in WAL
 * mode). Stated apart from `node.ts` so the configuration can name the values without importing
 * the native driver; D1 manages its own durability and ignores it.
 * - `full`: each commit fsyncs the WAL before it returns, so an acknowledged write survives power
 *   loss and an OS crash. With group commit that is one fsync per batch of webhooks, not per webhook.
 * - `normal`: a commit returns once it is in the WAL file (the OS's cache); it survives a crash of
 *   the process, but power loss or an OS crash may roll back the last commits (never corrupt).
 */
export const DATABASE_SYNCHRONOUS_MODES = ["full", "normal"] as const;

export type DatabaseSynchronous = (typeof DATABASE_SYNCHRONOUS_MODES)[number];

/**
 * `normal`: `full` is the default only where it costs webhooks under 15 % of their rate at 10
 * connections, and measured side by side (BENCHMARKS.md section 1) it costs mux-ingest about
 * 20–30 % (the report checks the rule against each run). What a 2xx promises under each, and
 * how reconciliation repairs what `normal` may lose to a machine crash, is in RELIABILITY.md;
 * `DATABASE_SYNCHRONOUS=full` buys the stronger one.
 */
export const DEFAULT_DATABASE_SYNCHRONOUS: DatabaseSynchronous = "normal";
