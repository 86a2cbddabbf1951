/**
 * The command table: name → summary, help text and a loader for its runner. A runner's module
 * (and everything it imports: the service, the SDK, the database driver) is loaded only when the
 * command runs, so `mux-ingest --help` and `--version` start in a fraction of the time.
 */
import type { Command } from "./command";
import { say } from "./output";

export const COMMANDS: Record<string, Command> = {
  serve: {
    summary: "HTTP server, job workers and poller in one process",
    help: "Usage: mux-ingest serve\n\nServes POST /webhooks/mux, the admin API and the dashboard on $PORT (default 8787),\nruns the job workers and the reconciliation poller. Configuration: environment variables (see README).\nStops gracefully on SIGTERM or SIGINT.",
    load: async () => (await import("./serve")).runServe,
  },
  sync: {
    summary: "Run one reconciliation pass, wait for its jobs, then exit",
    help: `Usage: mux-ingest sync --once [--sync ID]... [--timeout SECONDS] [--json]

Runs one reconciliation pass of each sync (default: every active sync), waits for the jobs it
causes (ingests and pipeline deliveries, including their retries), prints each run's counters
and the objects by state, then exits.

Options:
  --once             required: run one pass and exit (\`serve\` keeps syncs running)
  --sync ID          only this sync (repeatable)
  --timeout SECONDS  give up waiting after this long (default 900)
  --json             print the result as JSON on stdout

Exit status: 0 every pass succeeded and no object ended failed; 1 a pass failed, an object
is failed, or the wait timed out; 2 usage or configuration error.`,
    load: async () => (await import("./sync-once")).runSyncOnce,
  },
  connections: {
    summary: "Test a connection's credentials against Mux (connections test [ID])",
    help: `Usage: mux-ingest connections test [ID] [--json]

Calls Mux with the stored credentials of connection ID (default: the connection made from
MUX_TOKEN_ID, or the only connection) and says which environment they reach, or why Mux
refused them (wrong token id/secret, a missing permission, Mux unreachable).

Exit status: 0 Mux accepts the credentials; 1 it does not, or no such connection; 2 usage error.`,
    load: async () => (await import("./connections-test")).runConnections,
  },
  status: {
    summary: "Syncs, runs and object counts by state and reason",
    help: `Usage: mux-ingest status [--json]

Prints the connections (and their last test), each sync with its state, last and next run and
the last run's counters, the objects of each bucket by state and reason, the queue, and recent
failures. --json prints the same as one JSON document.`,
    load: async () => (await import("./status")).runStatus,
  },
  migrate: {
    summary: "Apply the database migrations",
    help: "Usage: mux-ingest migrate\n\nApplies migrations/ to $DATABASE_PATH (default ./data/mux-ingest.db). Safe to run repeatedly.",
    load: async () => (await import("./migrate")).runMigrate,
  },
  rekey: {
    summary: "Re-seal every stored secret under a new ENCRYPTION_KEY",
    help: `Usage: mux-ingest rekey --from-key <source> [--to-key <source>]

Re-seals every secret at rest (connections' Mux secrets, buckets' pipeline secrets) that the old
key sealed, under the new key, in one write. If any secret does not open with the old key,
nothing is changed. Stop the service first.

  --from-key <source>  the old key
  --to-key <source>    the new key (default: the configured one, ENCRYPTION_KEY or the
                       encryption.key next to the database); set ENCRYPTION_KEY to it afterwards

A <source> is env:NAME (the variable NAME) or a file path (file:PATH also works) holding the
key. Keys are never taken on the command line and never printed.`,
    load: async () => (await import("./rekey")).runRekey,
  },
  backup: {
    summary: "Copy the database online to a file (SQLite's backup API), then check the copy",
    help: `Usage: mux-ingest backup FILE [--json]

Copies $DATABASE_PATH to FILE while the service keeps running (SQLite's online backup: the copy
is consistent at one instant), checks it with PRAGMA quick_check, and prints its size. FILE is
created with mode 0600 and never overwritten. The encryption key (ENCRYPTION_KEY, or the
encryption.key file next to the database) is not in the copy: keep it apart, and restore both.

Restore: stop the service, put FILE in place of $DATABASE_PATH (and remove its -wal and -shm
files), start it again. Exit status: 0 copied and checked; 1 no database, FILE exists, or the
check failed; 2 usage error.`,
    load: async () => (await import("./backup")).runBackup,
  },
  demo: {
    summary: "Run the main job against the bundled fake Mux",
    help: `Usage: mux-ingest demo [--assets N] [--live N] [--seed S] [--download] [--keep] [--timeout SECONDS]

Starts a fake Mux with a seeded library (the realistic mix), mux-ingest on a temporary database
and a local pipeline that verifies every delivery's signature, then runs the initial sync and the
live webhook flow. Exits 0 when every eligible asset is delivered and every other one carries its
reason.

  --assets N     library size (default 60)
  --live N       assets created while it runs (default 6)
  --seed S       library seed (default 42)
  --download     also download each MP4 into the temporary directory
  --keep         leave everything running (dashboard on http://127.0.0.1:8787/) until Ctrl-C
  --timeout S    give up after S seconds (default 90)`,
    load: async () => (await import("./demo")).runDemoCommand,
  },
  "fake-mux": {
    summary: "Serve the bundled fake Mux on its own",
    help: "Usage: mux-ingest fake-mux [--port N] [--assets N] [--seed S] [--token-id ID] [--token-secret S]\n  [--webhook-url URL] [--webhook-secret S] [--drop-rate R] [--duplicate-rate R] [--reorder]\n  [--error-rate R] [--rate-limit N]",
    load: async () => {
      const { runFakeMuxCommand } = await import("../fake-mux/cli");
      return (args) => runFakeMuxCommand(args);
    },
  },
};

export function printHelp(): void {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`);
  say(
    `mux-ingest: keep a bucket in step with a Mux video library\n\nUsage: mux-ingest <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun mux-ingest <command> --help for a command's options. Configuration comes from the environment (see README).`,
  );
}
