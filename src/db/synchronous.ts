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
 * `full`: with group commit it costs webhooks almost nothing measurable at 10 connections (one
 * fsync per batch; BENCHMARKS.md section 1 measures both side by side), and it is the promise a
 * 2xx should carry: the event survives a power cut.
 */
export const DEFAULT_DATABASE_SYNCHRONOUS: DatabaseSynchronous = "full";
