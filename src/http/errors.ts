/**
 * The single place where errors become HTTP answers: `{ error: { code, message, details? } }`.
 * Only unexpected (5xx) errors are logged as errors; client mistakes are not our failures.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorCode } from "../lib/errors";
import type { HttpEnv } from "./context";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UPSTREAM: 502,
  UPSTREAM_AUTH: 502,
  DISABLED: 503,
  CONFIG: 500,
  INTERNAL: 500,
};

export function statusFor(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function handleError(err: Error, c: Context<HttpEnv>) {
  if (err instanceof AppError) {
    const status = statusFor(err.code);
    if (status >= 500) c.var.logger?.error("Request failed", { code: err.code, error: err.message });
    return c.json(errorBody(err.code, err.message, err.details), status);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return c.json(errorBody(status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", err.message), status);
  }
  c.var.logger?.error("Unhandled error", { error: err.message, name: err.name });
  return c.json(errorBody("INTERNAL", "Internal error"), 500);
}
