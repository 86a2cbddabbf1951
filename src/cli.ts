/**
 * `mux-ingest <command>`: the one entry that reads `process.env` and `process.argv`. Each command
 * lives in `cli/` and returns its exit code; errors a person can fix (bad configuration, Mux
 * refusing the credentials) are printed as one readable line, not a stack trace.
 */

import { COMMANDS, printHelp } from "./cli/commands";
import { say, warn } from "./cli/output";
import { ConfigError } from "./config/env";
import { describeError } from "./lib/errors";

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    printHelp();
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    warn(`mux-ingest: unknown command "${name}". Run mux-ingest --help.`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    say(command.help);
    return 0;
  }
  return command.run(rest, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      warn(err.message);
      process.exitCode = 2;
      return;
    }
    warn(`mux-ingest: ${describeError(err)}`);
    process.exitCode = 1;
  },
);
