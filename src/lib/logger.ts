/**
 * A four-method logger that writes one JSON object per line. Secrets known to the process are
 * registered with a `Redactor` and replaced before anything is written, so a secret can never
 * reach a log line, whatever a caller passes in.
 */
import { terminalJson } from "./terminal-text";

export type LogFields = Record<string, unknown>;
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Values shorter than this are never registered: they would mask ordinary words (a key name, an
 * id) in every later line, and no real secret is this short. It is also longer than the mask, so
 * masking always shortens the text and the loop in `redact` ends.
 */
export const MIN_REDACTED_LENGTH = 12;
const MASK = "[redacted]";

/**
 * Holds every secret value the process stores or was configured with, and masks them in text.
 * A secret is looked for as it is and as it appears inside JSON output, escaped once (a field
 * value) or twice (a JSON document logged as a string): quotes, backslashes and the newlines of
 * a PEM key change its bytes there.
 */
export class Redactor {
  /** Every form of every secret, longest first, so a longer form is masked before a shorter one inside it. */
  private forms: string[] = [];
  private readonly known = new Set<string>();

  add(...values: Array<string | null | undefined>): void {
    let added = false;
    for (const value of values) {
      if (!value || value.length < MIN_REDACTED_LENGTH || this.known.has(value)) continue;
      this.known.add(value);
      const once = jsonEscaped(value);
      for (const form of [value, once, jsonEscaped(once)])
        if (!this.forms.includes(form)) this.forms.push(form);
      added = true;
    }
    if (added) this.forms.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    // Masking can join text into another occurrence; each pass shortens it, so this ends.
    for (let changed = true; changed; ) {
      changed = false;
      for (const form of this.forms) {
        if (out.includes(form)) {
          out = out.split(form).join(MASK);
          changed = true;
        }
      }
    }
    return out;
  }
}

/** A string as it appears between the quotes of JSON output. */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export type JsonLoggerOptions = {
  level?: LogLevel;
  write?: (line: string) => void;
  redactor?: Redactor;
  fields?: LogFields;
};

export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  return new JsonLogger(
    {
      min: LEVELS[options.level ?? "info"],
      // console.log rather than process.stdout: the same logger runs on Workers.
      write: options.write ?? ((line: string) => console.log(line)),
      redactor: options.redactor,
    },
    options.fields ?? {},
  );
}

type LoggerSink = { min: number; write: (line: string) => void; redactor: Redactor | undefined };

/**
 * Methods on the prototype, so a child (one per HTTP request) costs one small object, and a line
 * below the level costs one comparison.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly sink: LoggerSink,
    private readonly base: LogFields,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.emit("debug", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.emit("info", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.emit("warn", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.emit("error", message, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.sink, { ...this.base, ...fields });
  }

  private emit(level: LogLevel, message: string, fields?: LogFields): void {
    const { min, write, redactor } = this.sink;
    if (LEVELS[level] < min) return;
    const line = JSON.stringify(
      { time: new Date().toISOString(), level, msg: message, ...this.base, ...fields },
      errorReplacer,
    );
    // Log lines reach terminals too: a title from Mux must not be able to drive one.
    write(terminalJson(redactor ? redactor.redact(line) : line));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => noopLogger,
};
