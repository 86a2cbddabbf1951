/**
 * A sync's `file_filters`: which assets of the library the sync takes. Validated once, when the
 * sync is configured (every bad rule is named, so a person can fix it), then evaluated against each
 * asset in the ingest job and on listing (`filter-evaluation.ts`). Pure: no clock, no I/O.
 *
 * The parsed value keeps the user's own spelling (an ISO date stays an ISO string) so that what a
 * sync returns is what was sent; values are converted when a filter is evaluated.
 */
import { z } from "zod";
import {
  FIELD_KINDS,
  FILTER_FIELDS,
  FILTER_OPERATORS,
  type FieldKind,
  type FilterField,
  type FilterOperator,
  type FilterValue,
  formatTime,
  MAX_FILTER_STRING_LENGTH,
  MAX_IN_VALUES,
  MAX_METADATA_FILTERS,
  OPERATORS_BY_KIND,
  parseTimeValue,
  qualityRank,
  resolutionRank,
  VIDEO_QUALITIES,
} from "./filter-values";

type ValueProblem = { path: Array<string | number>; message: string };

/** What a single (non-list) value must be for a field kind; null when `value` fits. */
function scalarProblem(kind: FieldKind, value: unknown): string | null {
  switch (kind) {
    case "string":
      if (typeof value !== "string" || value === "") return "a non-empty string";
      return value.length > MAX_FILTER_STRING_LENGTH
        ? `a string of at most ${MAX_FILTER_STRING_LENGTH} characters`
        : null;
    case "resolution":
      return resolutionRank(value) === null
        ? 'a resolution tier such as "720p", "1080p", "2160p" or "audio-only"'
        : null;
    case "quality":
      return qualityRank(value) === null ? `one of ${VIDEO_QUALITIES.map((q) => `"${q}"`).join(", ")}` : null;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "a number";
    case "boolean":
      return typeof value === "boolean" ? null : "true or false";
    case "time":
      return parseTimeValue(value) === null
        ? 'an ISO 8601 date or datetime (e.g. "2024-05-01" or "2024-05-01T12:00:00Z") or unix seconds'
        : null;
  }
}

function valueProblems(field: FilterField, operator: FilterOperator, value: unknown): ValueProblem[] {
  const kind = FIELD_KINDS[field];
  const where = `for operator "${operator}" on "${field}"`;
  if (operator === "exists") {
    if (value === undefined || typeof value === "boolean") return [];
    return [{ path: ["value"], message: `must be true, false or omitted ${where}` }];
  }
  if (value === undefined) return [{ path: ["value"], message: `is required ${where}` }];
  if (operator === "in") return listProblems(kind, value, where);
  const expected = scalarProblem(kind, value);
  return expected ? [{ path: ["value"], message: `must be ${expected} ${where}` }] : [];
}

function listProblems(kind: FieldKind, value: unknown, where: string): ValueProblem[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) {
    return [{ path: ["value"], message: `must be a list of 1 to ${MAX_IN_VALUES} values ${where}` }];
  }
  return value.flatMap((item: unknown, index) => {
    const expected = scalarProblem(kind, item);
    return expected ? [{ path: ["value", index], message: `must be ${expected} ${where}` }] : [];
  });
}

function listOf(values: readonly string[]): string {
  return values.join(", ");
}

/** Messages for zod's own object-level issues: not an object, or keys we do not know. */
function objectError(allowedKeys: readonly string[]) {
  return (issue: { code?: string; keys?: readonly string[] }): string => {
    if (issue.code === "unrecognized_keys" && issue.keys) {
      const keys = issue.keys.map((key) => `"${key}"`).join(", ");
      return `has unknown key ${keys} (allowed: ${listOf(allowedKeys)})`;
    }
    return "must be an object";
  };
}

const filterRuleSchema = z
  .strictObject(
    {
      field: z.enum(FILTER_FIELDS, { error: () => `must be one of ${listOf(FILTER_FIELDS)}` }),
      operator: z.enum(FILTER_OPERATORS, { error: () => `must be one of ${listOf(FILTER_OPERATORS)}` }),
      // Checked below, against the field and the operator.
      value: z.unknown().optional(),
    },
    { error: objectError(["field", "operator", "value"]) },
  )
  .superRefine((rule, ctx) => {
    const allowed = OPERATORS_BY_KIND[FIELD_KINDS[rule.field]];
    if (!allowed.includes(rule.operator)) {
      ctx.addIssue({
        code: "custom",
        path: ["operator"],
        message: `"${rule.operator}" is not allowed on "${rule.field}" (allowed: ${listOf(allowed)})`,
      });
      return;
    }
    for (const problem of valueProblems(rule.field, rule.operator, rule.value)) {
      ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    }
  })
  .transform((rule) => ({ ...rule, value: asFilterValue(rule.value) }));
export type FilterRule = z.output<typeof filterRuleSchema>;

/** The value's type, once the checks above have accepted it for its field and operator. */
function asFilterValue(value: unknown): FilterValue | undefined {
  if (typeof value === "number") return withoutNegativeZero(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string" || typeof item === "number"))
    return value.map((item) => (typeof item === "number" ? withoutNegativeZero(item) : item));
  return undefined;
}

/**
 * JSON has no -0 (it is stored as 0): a filter that means the same after the sync is saved and
 * read back must not hold -0 either.
 */
function withoutNegativeZero(value: number): number {
  return Object.is(value, -0) ? 0 : value;
}

const TIME_BOUND =
  'must be an ISO 8601 date or datetime (e.g. "2024-05-01" or "2024-05-01T12:00:00Z") or unix seconds';

const timeBoundSchema = z
  .union([z.string(), z.number()], { error: TIME_BOUND })
  .refine((value) => parseTimeValue(value) !== null, { error: TIME_BOUND })
  .transform((value) => (typeof value === "number" ? withoutNegativeZero(value) : value));

const durationBoundSchema = z
  .number({ error: "must be a number of seconds" })
  .nonnegative({ error: "must be a number of seconds, at least 0" })
  .transform(withoutNegativeZero);

const TOP_LEVEL_KEYS = [
  "metadata_filters",
  "created_after",
  "created_before",
  "min_duration_seconds",
  "max_duration_seconds",
] as const;

/**
 * `null` is accepted for each key and means "not set", so an API client can clear one filter by
 * sending null.
 */
export const fileFiltersSchema = z
  .strictObject(
    {
      metadata_filters: z
        .array(filterRuleSchema, { error: "must be a list of rules {field, operator, value}" })
        .max(MAX_METADATA_FILTERS, { error: `may hold at most ${MAX_METADATA_FILTERS} rules` })
        .nullish(),
      created_after: timeBoundSchema.nullish(),
      created_before: timeBoundSchema.nullish(),
      min_duration_seconds: durationBoundSchema.nullish(),
      max_duration_seconds: durationBoundSchema.nullish(),
    },
    { error: objectError(TOP_LEVEL_KEYS) },
  )
  // `when` lets the range checks run even if a rule elsewhere is invalid, so one answer names
  // every problem; the check therefore reads the raw values defensively.
  .superRefine(checkRanges, { when: (payload) => isRecord(payload.value) });
export type FileFilters = z.output<typeof fileFiltersSchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkRanges(filters: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const min = filters.min_duration_seconds;
  const max = filters.max_duration_seconds;
  if (typeof min === "number" && typeof max === "number" && min > max) {
    ctx.addIssue({
      code: "custom",
      path: ["max_duration_seconds"],
      message: `must be at least min_duration_seconds (${min})`,
    });
  }
  const after = parseTimeValue(filters.created_after);
  const before = parseTimeValue(filters.created_before);
  if (after !== null && before !== null && after >= before) {
    ctx.addIssue({
      code: "custom",
      path: ["created_before"],
      message: `must be later than created_after (${formatTime(after)})`,
    });
  }
}

export function parseFileFilters(
  input: unknown,
): { ok: true; value: FileFilters } | { ok: false; problems: string[] } {
  const result = fileFiltersSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`),
  };
}

/** `["metadata_filters", 2, "value"]` → `metadata_filters[2].value`; the root is `file_filters`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "file_filters";
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : `${index === 0 ? "" : "."}${String(key)}`))
    .join("");
}

export function isEmptyFilters(filters: FileFilters): boolean {
  return (
    (filters.metadata_filters ?? []).length === 0 &&
    filters.created_after == null &&
    filters.created_before == null &&
    filters.min_duration_seconds == null &&
    filters.max_duration_seconds == null
  );
}
