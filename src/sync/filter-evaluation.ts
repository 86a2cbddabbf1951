/**
 * Whether an asset passes a sync's `file_filters`, and if not, why in plain words. Every rule
 * must hold (AND). Pure.
 */
import type { MuxAsset } from "../mux/schemas";
import {
  FIELD_KINDS,
  type FieldKind,
  type FilterField,
  type FilterOperator,
  type FilterValue,
  formatTime,
  formatValue,
  orderKey,
  parseTimeValue,
} from "./filter-values";
import type { FileFilters, FilterRule } from "./filters";

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
