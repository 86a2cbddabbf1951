/**
 * Progress for long CLI work, on stderr so stdout stays the command's result: on a terminal one
 * line rewritten in place; elsewhere (CI logs, pipes) a plain line whenever the text changes,
 * at most every few seconds, so logs stay readable.
 */
import { terminalText } from "../lib/terminal-text";

export type Progress = { update(text: string): void; done(): void };

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  options: { plainEveryMs?: number } = {},
): Progress {
  const tty = Boolean(stream.isTTY);
  const every = options.plainEveryMs ?? 2_000;
  let last = "";
  let lastAt = 0;
  let live = false;
  return {
    update(raw) {
      // The text may quote Mux; only this module's own escapes reach the terminal.
      const text = terminalText(raw);
      if (text === last) return;
      if (tty) {
        const width = stream.columns ?? 120;
        stream.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
        live = true;
      } else {
        const now = Date.now();
        if (now - lastAt < every) return;
        stream.write(`${text}\n`);
        lastAt = now;
      }
      last = text;
    },
    done() {
      if (tty && live) stream.write("\r\x1b[2K");
      live = false;
    },
  };
}
