/**
 * The vocabulary of `file_filters` and how its values compare: which fields and operators exist,
 * what kind of value each field holds, and the conversions (times, ordered tiers) that validation
 * and evaluation share. Pure.
 */

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
export type FieldKind = "string" | "resolution" | "quality" | "number" | "boolean" | "time";

export const FIELD_KINDS: Readonly<Record<FilterField, FieldKind>> = {
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

export const OPERATORS_BY_KIND: Readonly<Record<FieldKind, readonly FilterOperator[]>> = {
  string: ["equals", "not_equals", "contains", "not_contains", "in", "exists"],
  resolution: ["equals", "not_equals", "in", ...ORDERING, "exists"],
  quality: ["equals", "not_equals", "in", ...ORDERING, "exists"],
  number: ["equals", "not_equals", "in", ...ORDERING, "exists"],
  boolean: ["equals", "not_equals", "exists"],
  time: ["equals", "not_equals", ...ORDERING, "exists"],
};

export const VIDEO_QUALITIES = ["basic", "plus", "premium"] as const;

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
export function resolutionRank(value: unknown): number | null {
  if (value === "audio-only") return 0;
  const match = typeof value === "string" ? /^(\d{3,4})p$/.exec(value) : null;
  return match ? Number(match[1]) : null;
}

export function qualityRank(value: unknown): number | null {
  // Widened so that any input can be looked up, not only a known quality.
  const qualities: readonly unknown[] = VIDEO_QUALITIES;
  const index = qualities.indexOf(value);
  return index === -1 ? null : index;
}

/** The number a value orders by for its field kind, or null when it cannot be ordered. */
export function orderKey(kind: FieldKind, value: unknown): number | null {
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

export function formatValue(kind: FieldKind, value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item: unknown) => formatValue(kind, item)).join(", ")}]`;
  if (kind === "time") {
    const seconds = parseTimeValue(value);
    if (seconds !== null) return formatTime(seconds);
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}
