/** Shared bits of the one-shot commands: quiet logs on stderr, and usage errors that exit 2. */
import type { LogLevel } from "../lib/logger";
import type { NodeOptions } from "../node/open-node";
import { logLine, warn } from "./output";

/**
 * One-shot commands print their result on stdout; their logs go to stderr, and only warnings
 * unless LOG_LEVEL asks for more.
 */
export function cliLogOptions(env: NodeJS.ProcessEnv): NodeOptions {
  const level = (env.LOG_LEVEL?.trim() || "warn") as LogLevel;
  return { logLevel: level, logWrite: logLine };
}

export function usageError(command: string, message: string): number {
  warn(`mux-ingest ${command}: ${message}. Run mux-ingest ${command} --help.`);
  return 2;
}
