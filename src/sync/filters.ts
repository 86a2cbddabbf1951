/**
 * A sync's `file_filters`: which assets of the library the sync takes. Validated once, when the
 * sync is configured (every bad rule is named, so a person can fix it), then evaluated against each
 * asset in the ingest job and on listing. Pure: no clock, no I/O.
 *
 * The parsed value keeps the user's own spelling (an ISO date stays an ISO string) so that what a
 * sync returns is what was sent; values are converted when a filter is evaluated.
 */
import { z } from "zod";
import type { MuxAsset } from "../mux/schemas";

export const FILTER_FIELDS = [
  "passthrough",
  "meta.title",
  "meta.creator_id",
  "meta.external_id",
  "duration",
  "aspect_ratio",
  "resolution_tier",
  "max_resolution_tier",
  "video_quality",
  "upload_id",
  "live_stream_id",
  "is_live",
  "test",
  "created_at",
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export const FILTER_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "gt",
  "lt",
  "gte",
  "lte",
  "exists",
  "in",
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type FilterValue = string | number | boolean | Array<string | number>;

/** Bounds that keep a stored sync small and its evaluation cheap. */
export const MAX_METADATA_FILTERS = 50;
export const MAX_IN_VALUES = 100;
export const MAX_FILTER_STRING_LENGTH = 1024;

/**
 * How a field's values compare. Resolution tiers and video quality are ordered, so `gte "1080p"`
 * means "at least 1080p" rather than a meaningless string comparison.
 */
type FieldKind = "string" | "resolution" | "quality" | "number" | "boolean" | "time";

const FIELD_KINDS: Readonly<Record<FilterField, FieldKind>> = {
  passthrough: "string",
  "meta.title": "string",
  "meta.creator_id": "string",
  "meta.external_id": "string",
  duration: "number",
  aspect_ratio: "string",
  resolution_tier: "resolution",
  max_resolution_tier: "resolution",
  video_quality: "quality",
  upload_id: "string",
  live_stream_id: "string",
  is_live: "boolean",
  test: "boolean",
  created_at: "time",
};

const ORDERING = ["gt", "lt", "gte", "lte"] as const;

const OPERATORS_BY_KIND: Readonly<Record<FieldKind, readonly FilterOperator[]>> = {
  string: ["equals", "not_equals", "contains", "not_contains", "in", "exists"],
  resolution: ["equals", "not_equals", "in", ...ORDERING, "exists"],
  quality: ["equals", "not_equals", "in", ...ORDERING, "exists"],
  number: ["equals", "not_equals", "in", ...ORDERING, "exists"],
  boolean: ["equals", "not_equals", "exists"],
  time: ["equals", "not_equals", ...ORDERING, "exists"],
};

const VIDEO_QUALITIES = ["basic", "plus", "premium"] as const;

// ---------------------------------------------------------------------------------------------
// Values

/**
 * Unix seconds from a rule value: a number of seconds, or an ISO 8601 date (`2024-05-01`, taken as
 * UTC midnight) or datetime. A datetime without an offset is read as UTC too, so the answer never
 * depends on the server's time zone. Anything else (including `Date.parse`'s lenient forms such as
 * "May 1") is null, so that a typo is rejected instead of silently meaning some other date.
 */
export function parseTimeValue(value: unknown): number | null {
  // Beyond what a Date can hold (±8.64e15 ms) a number of seconds is no moment at all; letting it
  // through made formatting it for a message throw a RangeError (a 500 instead of a 400).
  if (typeof value === "number")
    return Number.isFinite(value) && value >= 0 && value <= MAX_DATE_SECONDS ? value : null;
  if (typeof value !== "string") return null;
  const match = ISO_8601.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, time, zone] = match;
  if (!isCalendarDate(Number(year), Number(month), Number(day))) return null;
  const offset = zone ? normaliseOffset(zone) : "Z";
  const ms = Date.parse(`${year}-${month}-${day}${time ? `T${time}` : "T00:00:00"}${offset}`);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** The last moment a JavaScript Date can represent, in unix seconds. */
const MAX_DATE_SECONDS = 8.64e12;

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T((?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?)(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/i;

/** `Date.parse` rolls 2024-02-30 over into March; a filter date that does not exist is a typo. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function normaliseOffset(zone: string): string {
  if (zone.toUpperCase() === "Z") return "Z";
  return zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** `audio-only` → 0, `1080p` → 1080: new tiers Mux may add still order correctly. */
function resolutionRank(value: unknown): number | null {
  if (value === "audio-only") return 0;
  const match = typeof value === "string" ? /^(\d{3,4})p$/.exec(value) : null;
  return match ? Number(match[1]) : null;
}

function qualityRank(value: unknown): number | null {
  // Widened so that any input can be looked up, not only a known quality.
  const qualities: readonly unknown[] = VIDEO_QUALITIES;
  const index = qualities.indexOf(value);
  return index === -1 ? null : index;
}

/** The number a value orders by for its field kind, or null when it cannot be ordered. */
function orderKey(kind: FieldKind, value: unknown): number | null {
  switch (kind) {
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : null;
    case "time":
      return parseTimeValue(value);
    case "resolution":
      return resolutionRank(value);
    case "quality":
      return qualityRank(value);
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

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
      // Checked below, against the field and the operator; zod sees it as opaque.
      value: z.custom<FilterValue>().optional(),
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
  });
export type FilterRule = z.output<typeof filterRuleSchema>;

const timeBoundSchema = z.custom<string | number>((value) => parseTimeValue(value) !== null, {
  error: 'must be an ISO 8601 date or datetime (e.g. "2024-05-01" or "2024-05-01T12:00:00Z") or unix seconds',
});

const durationBoundSchema = z
  .number({ error: "must be a number of seconds" })
  .nonnegative({ error: "must be a number of seconds, at least 0" });

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

// ---------------------------------------------------------------------------------------------
// Evaluation

export type FilterVerdict = { pass: true } | { pass: false; message: string };

/** Every rule must hold (AND); the message names the first that does not, in plain words. */
export function evaluateFilters(asset: MuxAsset, filters: FileFilters): FilterVerdict {
  for (const rule of filters.metadata_filters ?? []) {
    const failure = ruleFailure(rule, readField(asset, rule.field));
    if (failure) return { pass: false, message: failure };
  }
  const failure = createdRangeFailure(asset, filters) ?? durationRangeFailure(asset, filters);
  return failure ? { pass: false, message: failure } : { pass: true };
}

type FieldValue = string | number | boolean | null;

/** An empty string counts as missing: Mux clears `passthrough` by setting it to "". */
function readField(asset: MuxAsset, field: FilterField): FieldValue {
  const raw = rawField(asset, field);
  return raw === undefined || raw === "" ? null : raw;
}

function rawField(asset: MuxAsset, field: FilterField): FieldValue | undefined {
  switch (field) {
    case "meta.title":
      return asset.meta?.title;
    case "meta.creator_id":
      return asset.meta?.creator_id;
    case "meta.external_id":
      return asset.meta?.external_id;
    default:
      return asset[field];
  }
}

/** Null when the rule holds, else why it does not. */
function ruleFailure(rule: FilterRule, actual: FieldValue): string | null {
  const { field, operator, value } = rule;
  if (operator === "exists") return existsFailure(field, actual, value !== false);
  const kind = FIELD_KINDS[field];
  // Mux omits `is_live` and `test` unless they are true; reading absence as false is what
  // `test equals false` is meant to say.
  const present = kind === "boolean" ? (actual ?? false) : actual;
  if (present === null) {
    // A missing field cannot equal, contain, exceed … anything, but it is "not equal" to anything.
    if (operator === "not_equals" || operator === "not_contains") return null;
    return `${field} is missing (rule: ${field} ${OPERATOR_WORDS[operator]} ${formatValue(kind, value)})`;
  }
  return comparisonFailure(rule, kind, present);
}

function existsFailure(field: FilterField, actual: FieldValue, mustExist: boolean): string | null {
  if (mustExist) return actual === null ? `${field} is missing` : null;
  return actual === null ? null : `${field} is set (${formatValue(FIELD_KINDS[field], actual)})`;
}

const OPERATOR_WORDS: Readonly<Record<FilterOperator, string>> = {
  equals: "equals",
  not_equals: "does not equal",
  contains: "contains",
  not_contains: "does not contain",
  gt: "is greater than",
  lt: "is less than",
  gte: "is at least",
  lte: "is at most",
  exists: "exists",
  in: "is one of",
};

function comparisonFailure(
  rule: FilterRule,
  kind: FieldKind,
  actual: string | number | boolean,
): string | null {
  const { field, operator, value } = rule;
  const shown = `${field} is ${formatValue(kind, actual)}`;
  const expected = formatValue(kind, value);
  switch (operator) {
    case "equals":
      return isEqual(kind, actual, value) ? null : `${shown}, not ${expected}`;
    case "not_equals":
      return isEqual(kind, actual, value) ? `${shown}` : null;
    case "contains":
      return containsText(actual, value) ? null : `${field} does not contain ${expected}`;
    case "not_contains":
      return containsText(actual, value) ? `${field} contains ${expected}` : null;
    case "in":
      return Array.isArray(value) && value.some((item) => isEqual(kind, actual, item))
        ? null
        : `${shown}, which is not one of ${expected}`;
    default:
      return orderingFailure(kind, operator, actual, value, shown, expected);
  }
}

function orderingFailure(
  kind: FieldKind,
  operator: FilterOperator,
  actual: string | number | boolean,
  value: FilterValue | undefined,
  shown: string,
  expected: string,
): string | null {
  const a = orderKey(kind, actual);
  const b = orderKey(kind, value);
  if (a === null || b === null) return `${shown}, which cannot be compared with ${expected}`;
  return orderHolds(operator, a, b)
    ? null
    : `${shown}, not ${ORDER_FAILURE_WORDS[operator] ?? operator} ${expected}`;
}

function orderHolds(operator: FilterOperator, a: number, b: number): boolean {
  switch (operator) {
    case "gt":
      return a > b;
    case "lt":
      return a < b;
    case "gte":
      return a >= b;
    case "lte":
      return a <= b;
    default:
      return false;
  }
}

const ORDER_FAILURE_WORDS: Partial<Record<FilterOperator, string>> = {
  gt: "greater than",
  lt: "less than",
  gte: "at least",
  lte: "at most",
};

/** Equality is exact and case-sensitive (IDs and tiers are exact); times compare as instants. */
function isEqual(kind: FieldKind, actual: unknown, expected: unknown): boolean {
  if (kind === "time")
    return orderKey(kind, actual) !== null && orderKey(kind, actual) === orderKey(kind, expected);
  return actual === expected;
}

/**
 * `contains` ignores case: it is meant for people searching titles and passthrough tags, where
 * "Draft" and "draft" are the same word. Use `equals` for an exact, case-sensitive match.
 */
function containsText(actual: unknown, expected: unknown): boolean {
  return (
    typeof actual === "string" &&
    typeof expected === "string" &&
    actual.toLowerCase().includes(expected.toLowerCase())
  );
}

function createdRangeFailure(asset: MuxAsset, filters: FileFilters): string | null {
  const after = parseTimeValue(filters.created_after);
  const before = parseTimeValue(filters.created_before);
  if (after === null && before === null) return null;
  const created = asset.created_at ?? null;
  if (created === null) return "created_at is missing, so created_after/created_before cannot be checked";
  // A half-open range [after, before): `created_after: "2024-05-01"` includes assets created at
  // midnight on May 1, and consecutive ranges neither overlap nor leave a gap.
  if (after !== null && created < after) {
    return `created_at ${formatTime(created)} is before created_after ${formatTime(after)}`;
  }
  if (before !== null && created >= before) {
    return `created_at ${formatTime(created)} is not before created_before ${formatTime(before)}`;
  }
  return null;
}

/** Both bounds are inclusive. */
function durationRangeFailure(asset: MuxAsset, filters: FileFilters): string | null {
  const min = filters.min_duration_seconds ?? null;
  const max = filters.max_duration_seconds ?? null;
  if (min === null && max === null) return null;
  const duration = asset.duration ?? null;
  if (duration === null) return "duration is missing, so min/max_duration_seconds cannot be checked";
  if (min !== null && duration < min)
    return `duration ${duration} s is shorter than min_duration_seconds ${min}`;
  if (max !== null && duration > max)
    return `duration ${duration} s is longer than max_duration_seconds ${max}`;
  return null;
}

function formatValue(kind: FieldKind, value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item: unknown) => formatValue(kind, item)).join(", ")}]`;
  if (kind === "time") {
    const seconds = parseTimeValue(value);
    if (seconds !== null) return formatTime(seconds);
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}
