/**
 * `mux-ingest <command>`: the one entry that reads `process.env` and `process.argv`. Each command
 * lives in `cli/` and returns its exit code; errors a person can fix (bad configuration, Mux
 * refusing the credentials, an unreadable `--env-file`) are printed as one readable line, not a
 * stack trace. `--help` and `--version` load no command, so they answer at once.
 */

import { COMMANDS, printHelp } from "./cli/commands";
import { environmentWith, takeEnvFiles } from "./cli/env-file";
import { say, warn } from "./cli/output";
import { version } from "./cli/version";
import { AppError, describeError } from "./lib/errors";

async function main(argv: string[]): Promise<number> {
  const { args, files } = takeEnvFiles(argv);
  const [name, ...rest] = args;
  if (name === "--version" || name === "-v" || name === "version") {
    say(version());
    return 0;
  }
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
  const env = environmentWith(files, process.env);
  const run = await command.load();
  return run(rest, env);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A configuration the person can fix (ConfigError's CONFIG, a bad --env-file): one line, exit 2.
    if (err instanceof AppError && (err.code === "CONFIG" || err.code === "VALIDATION")) {
      warn(err.code === "CONFIG" ? err.message : `mux-ingest: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    warn(`mux-ingest: ${describeError(err)}`);
    process.exitCode = 1;
  },
);
