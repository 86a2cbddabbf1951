/**
 * The validator hook shared by every admin route: a failed zod parse becomes one 400
 * `{error: {code: "VALIDATION", message, details}}` that names each bad field, in the words of
 * the schemas (e.g. "polling_interval_seconds must be at least 10 seconds").
 */
import type { z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors";

export type FieldProblem = { field: string; message: string };

const WHERE: Record<string, string> = {
  json: "request body",
  query: "query string",
  param: "path",
  header: "headers",
  form: "form",
  cookie: "cookies",
};

/** `["file_filters", "metadata_filters", 0, "value"]` → `file_filters.metadata_filters[0].value`. */
export function fieldName(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : `${index === 0 ? "" : "."}${String(key)}`))
    .join("");
}

export function validationError(error: z.ZodError, target: string): AppError {
  const root = target === "json" ? "body" : target;
  const problems: FieldProblem[] = error.issues.map((issue) => ({
    field: fieldName(issue.path, root),
    message: issue.message,
  }));
  const summary = problems.map((p) => `${p.field} ${p.message}`).join("; ");
  return new AppError("VALIDATION", `Invalid ${WHERE[target] ?? target}: ${summary}`, { details: problems });
}

export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target: string },
): void {
  if (!result.success) throw validationError(result.error, result.target);
}
