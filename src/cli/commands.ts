/** The command table: name → help text and runner. */
import { runFakeMuxCommand } from "../fake-mux/cli";
import type { Command } from "./command";
import { connectionsCommand } from "./connections-test";
import { demoCommand } from "./demo";
import { migrateCommand } from "./migrate";
import { say } from "./output";
import { rekeyCommand } from "./rekey";
import { serveCommand } from "./serve";
import { statusCommand } from "./status";
import { syncOnceCommand } from "./sync-once";

export const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  sync: syncOnceCommand,
  connections: connectionsCommand,
  status: statusCommand,
  migrate: migrateCommand,
  rekey: rekeyCommand,
  demo: demoCommand,
  "fake-mux": {
    summary: "Serve the bundled fake Mux on its own",
    help: "Usage: mux-ingest fake-mux [--port N] [--assets N] [--seed S] [--token-id ID] [--token-secret S]\n  [--webhook-url URL] [--webhook-secret S] [--drop-rate R] [--duplicate-rate R] [--reorder]\n  [--error-rate R] [--rate-limit N]",
    run: (args) => runFakeMuxCommand(args),
  },
};

export function printHelp(): void {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`);
  say(
    `mux-ingest: keep a bucket in step with a Mux video library\n\nUsage: mux-ingest <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun mux-ingest <command> --help for a command's options. Configuration comes from the environment (see README).`,
  );
}
