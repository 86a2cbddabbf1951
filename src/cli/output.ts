/**
 * The one way the CLI prints. Everything a command writes to the terminal (results, errors,
 * progress, logs) goes through these functions, which pass text through `terminalText` and JSON
 * through `terminalJson`: what Mux or a pipeline said (titles, messages, errors) can never move
 * the cursor, rewrite the screen or reorder what the operator reads.
 */
import { terminalJson, terminalText } from "../lib/terminal-text";

/** One or more lines on stdout (the command's result). */
export function say(text: string): void {
  process.stdout.write(`${terminalText(text)}\n`);
}

/** One or more lines on stderr (errors, warnings). */
export function warn(text: string): void {
  process.stderr.write(`${terminalText(text)}\n`);
}

/** A value as one JSON document on stdout (`--json`). */
export function sayJson(value: unknown): void {
  process.stdout.write(`${terminalJson(JSON.stringify(value, null, 2))}\n`);
}

/** A JSON log line on stderr (one-shot commands keep stdout for their result). */
export function logLine(line: string): void {
  process.stderr.write(`${terminalJson(line)}\n`);
}

/**
 * Text written as it comes (no newline added) to `stream`, with `\r` and `\n` kept: the CLI's own
 * progress lines rewrite themselves with them. Everything else unsafe goes, as in `say`.
 */
export function writeRaw(stream: NodeJS.WritableStream, text: string): void {
  stream.write(
    text
      .split("\r")
      .map((part) => terminalText(part))
      .join("\r"),
  );
}
