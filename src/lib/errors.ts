/**
 * One error model for the whole service. Every failure that crosses a module boundary is an
 * `AppError` with a machine-readable `code`, whether retrying can help, and optional `details`.
 * HTTP maps `code` to a status in one place (`http/errors.ts`); the queue reads `retryable`.
 */
export type ErrorCode =
  | "BAD_REQUEST"
  | "VALIDATION"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  | "UPSTREAM"
  | "UPSTREAM_AUTH"
  | "DISABLED"
  | "CONFIG"
  | "INTERNAL";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/**
 * Asks the queue to run the job again after `delayMs` without spending an attempt:
 * waiting out Mux's `Retry-After` is not the job failing.
 */
export class RetryAfterError extends AppError {
  readonly delayMs: number;

  constructor(delayMs: number, message: string, options: { cause?: unknown } = {}) {
    super("RATE_LIMITED", message, { retryable: true, cause: options.cause });
    this.name = "RetryAfterError";
    this.delayMs = Math.max(0, Math.round(delayMs));
  }
}

/** A short, loggable description of anything thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** "1 attempt", "3 attempts": failure messages are read by people. */
export function attempts(count: number): string {
  return `${count} attempt${count === 1 ? "" : "s"}`;
}
