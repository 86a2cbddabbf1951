/**
 * A four-method logger that writes one JSON object per line. Secrets known to the process are
 * registered with a `Redactor` and replaced before anything is written, so a secret can never
 * reach a log line, whatever a caller passes in.
 */
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

/** Holds every secret value the process knows, and masks them in text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: Array<string | null | undefined>): void {
    for (const value of values) {
      // Very short values would mask ordinary words; real secrets are long.
      if (value && value.length >= 6) this.secrets.add(value);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    }
    return out;
  }
}

export type JsonLoggerOptions = {
  level?: LogLevel;
  write?: (line: string) => void;
  redactor?: Redactor;
  fields?: LogFields;
};

export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  // console.log rather than process.stdout: the same logger runs on Workers.
  const write = options.write ?? ((line: string) => console.log(line));
  const redactor = options.redactor;
  const base = options.fields ?? {};

  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const line = JSON.stringify(
      { time: new Date().toISOString(), level, msg: message, ...base, ...fields },
      errorReplacer,
    );
    write(redactor ? redactor.redact(line) : line);
  };

  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => jsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
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
