import { describe, expect, it } from "vitest";
import { type MuxAsset, muxAssetSchema } from "../../src/mux/schemas";
import { evaluateFilters } from "../../src/sync/filter-evaluation";
import { FILTER_FIELDS, parseTimeValue } from "../../src/sync/filter-values";
import { fileFiltersSchema, isEmptyFilters, parseFileFilters } from "../../src/sync/filters";

/** 2024-05-01T12:00:00Z */
const CREATED = 1714564800;

/** Through the real schema, so `created_at` arrives as a REST numeric string and is normalised. */
function asset(fields: Record<string, unknown> = {}): MuxAsset {
  return muxAssetSchema.parse({
    id: "asset-1",
    status: "ready",
    created_at: String(CREATED),
    duration: 120.5,
    passthrough: "campaign:Summer-2024",
    meta: { title: "Quarterly Review", creator_id: "user-7" },
    aspect_ratio: "16:9",
    resolution_tier: "1080p",
    max_resolution_tier: "2160p",
    video_quality: "plus",
    upload_id: "upload-1",
    ...fields,
  });
}

/** Parses like the API does (so every test rule is also a valid rule), then evaluates. */
function check(filters: unknown, target: MuxAsset = asset()) {
  const parsed = parseFileFilters(filters);
  if (!parsed.ok) throw new Error(`test filters are invalid: ${parsed.problems.join("; ")}`);
  return evaluateFilters(target, parsed.value);
}

function rule(field: string, operator: string, value?: unknown) {
  return value === undefined ? { field, operator } : { field, operator, value };
}

type EvalCase = { name: string; rule: ReturnType<typeof rule>; asset?: MuxAsset; message: string | null };

function passes(name: string, r: ReturnType<typeof rule>, target?: MuxAsset): EvalCase {
  return { name, rule: r, asset: target, message: null };
}
function fails(name: string, r: ReturnType<typeof rule>, message: string, target?: MuxAsset): EvalCase {
  return { name, rule: r, asset: target, message };
}

function runCases(cases: EvalCase[]) {
  it.each(cases)("$name", ({ rule: r, asset: target, message }) => {
    const verdict = check({ metadata_filters: [r] }, target);
    expect(verdict).toEqual(message === null ? { pass: true } : { pass: false, message });
  });
}

describe("evaluateFilters: string fields", () => {
  runCases([
    passes("equals, exact", rule("meta.title", "equals", "Quarterly Review")),
    fails(
      "equals is case-sensitive",
      rule("meta.title", "equals", "quarterly review"),
      'meta.title is "Quarterly Review", not "quarterly review"',
    ),
    passes("not_equals another value", rule("meta.title", "not_equals", "Other")),
    fails(
      "not_equals the same value",
      rule("meta.title", "not_equals", "Quarterly Review"),
      'meta.title is "Quarterly Review"',
    ),
    passes("contains ignores case", rule("meta.title", "contains", "REVIEW")),
    fails(
      "contains, absent word",
      rule("meta.title", "contains", "draft"),
      'meta.title does not contain "draft"',
    ),
    passes("not_contains, absent word", rule("meta.title", "not_contains", "draft")),
    fails(
      "not_contains ignores case",
      rule("passthrough", "not_contains", "SUMMER"),
      'passthrough contains "SUMMER"',
    ),
    passes("in, listed", rule("meta.creator_id", "in", ["user-1", "user-7"])),
    fails(
      "in, not listed",
      rule("meta.creator_id", "in", ["user-1"]),
      'meta.creator_id is "user-7", which is not one of ["user-1"]',
    ),
    passes("exists with the value omitted", rule("upload_id", "exists")),
    passes("exists: true", rule("upload_id", "exists", true)),
    fails(
      "exists: false on a set field",
      rule("aspect_ratio", "exists", false),
      'aspect_ratio is set ("16:9")',
    ),
  ]);
});

describe("evaluateFilters: a missing field fails all but not_equals, not_contains and exists:false", () => {
  runCases([
    fails(
      "equals",
      rule("meta.external_id", "equals", "x"),
      'meta.external_id is missing (rule: meta.external_id equals "x")',
    ),
    fails(
      "contains",
      rule("live_stream_id", "contains", "x"),
      'live_stream_id is missing (rule: live_stream_id contains "x")',
    ),
    fails(
      "in",
      rule("meta.external_id", "in", ["x"]),
      'meta.external_id is missing (rule: meta.external_id is one of ["x"])',
    ),
    fails("exists", rule("meta.external_id", "exists"), "meta.external_id is missing"),
    passes("exists: false", rule("meta.external_id", "exists", false)),
    passes("not_equals", rule("meta.external_id", "not_equals", "x")),
    passes("not_contains", rule("live_stream_id", "not_contains", "x")),
    fails(
      "gt on a missing number",
      rule("duration", "gt", 1),
      "duration is missing (rule: duration is greater than 1)",
      asset({ duration: null }),
    ),
    passes("not_equals on a missing number", rule("duration", "not_equals", 1), asset({ duration: null })),
    fails(
      'an empty passthrough counts as missing (Mux clears it with "")',
      rule("passthrough", "exists"),
      "passthrough is missing",
      asset({ passthrough: "" }),
    ),
    fails(
      "a missing meta object",
      rule("meta.title", "equals", "x"),
      'meta.title is missing (rule: meta.title equals "x")',
      asset({ meta: null }),
    ),
  ]);
});

describe("evaluateFilters: numbers (duration = 120.5)", () => {
  runCases([
    passes("equals", rule("duration", "equals", 120.5)),
    fails("equals, other", rule("duration", "equals", 120), "duration is 120.5, not 120"),
    passes("not_equals", rule("duration", "not_equals", 120)),
    fails("not_equals, same", rule("duration", "not_equals", 120.5), "duration is 120.5"),
    passes("gt", rule("duration", "gt", 60)),
    fails("gt is strict", rule("duration", "gt", 120.5), "duration is 120.5, not greater than 120.5"),
    passes("gte is inclusive", rule("duration", "gte", 120.5)),
    fails("gte", rule("duration", "gte", 121), "duration is 120.5, not at least 121"),
    passes("lt", rule("duration", "lt", 121)),
    fails("lt is strict", rule("duration", "lt", 120.5), "duration is 120.5, not less than 120.5"),
    passes("lte is inclusive", rule("duration", "lte", 120.5)),
    fails("lte", rule("duration", "lte", 10), "duration is 120.5, not at most 10"),
    passes("in", rule("duration", "in", [1, 120.5])),
    fails("in, not listed", rule("duration", "in", [1, 2]), "duration is 120.5, which is not one of [1, 2]"),
    passes("exists", rule("duration", "exists")),
  ]);
});

describe("evaluateFilters: booleans (Mux omits is_live and test unless true)", () => {
  const testAsset = asset({ test: true });
  const endedLive = asset({ is_live: false, live_stream_id: "ls-1" });
  runCases([
    passes("absent test equals false", rule("test", "equals", false)),
    fails("absent test equals true", rule("test", "equals", true), "test is false, not true"),
    passes("absent test not_equals true", rule("test", "not_equals", true)),
    passes("test equals true", rule("test", "equals", true), testAsset),
    fails(
      "test not_equals true on a test asset",
      rule("test", "not_equals", true),
      "test is true",
      testAsset,
    ),
    passes("exists: false when Mux omitted it", rule("is_live", "exists", false)),
    fails("exists when Mux omitted it", rule("is_live", "exists"), "is_live is missing"),
    passes("exists when Mux sent false", rule("is_live", "exists"), endedLive),
    passes("is_live equals false when sent as false", rule("is_live", "equals", false), endedLive),
  ]);
});

describe("evaluateFilters: created_at (2024-05-01T12:00:00Z), rule values as ISO or unix seconds", () => {
  runCases([
    passes("gt an ISO date", rule("created_at", "gt", "2024-05-01")),
    fails(
      "gt a later ISO date",
      rule("created_at", "gt", "2024-05-02"),
      "created_at is 2024-05-01T12:00:00Z, not greater than 2024-05-02T00:00:00Z",
    ),
    passes("lt unix seconds", rule("created_at", "lt", CREATED + 1)),
    fails(
      "lt is strict",
      rule("created_at", "lt", CREATED),
      "created_at is 2024-05-01T12:00:00Z, not less than 2024-05-01T12:00:00Z",
    ),
    passes("gte the same second", rule("created_at", "gte", CREATED)),
    passes("lte an ISO datetime", rule("created_at", "lte", "2024-05-01T12:00:00Z")),
    passes(
      "equals the same instant in another offset",
      rule("created_at", "equals", "2024-05-01T14:00:00+02:00"),
    ),
    fails(
      "not_equals the same instant",
      rule("created_at", "not_equals", CREATED),
      "created_at is 2024-05-01T12:00:00Z",
    ),
    fails(
      "gt on an asset without created_at",
      rule("created_at", "gt", 0),
      "created_at is missing (rule: created_at is greater than 1970-01-01T00:00:00Z)",
      asset({ created_at: null }),
    ),
  ]);
});

describe("evaluateFilters: ordered tiers", () => {
  runCases([
    passes("resolution_tier gte 1080p", rule("resolution_tier", "gte", "1080p")),
    fails(
      "resolution_tier gt 1080p",
      rule("resolution_tier", "gt", "1080p"),
      'resolution_tier is "1080p", not greater than "1080p"',
    ),
    passes("resolution_tier lt 2160p", rule("resolution_tier", "lt", "2160p")),
    passes(
      "audio-only sorts below every video tier",
      rule("resolution_tier", "lt", "720p"),
      asset({ resolution_tier: "audio-only" }),
    ),
    passes(
      "a tier Mux adds later still orders",
      rule("max_resolution_tier", "gt", "2160p"),
      asset({ max_resolution_tier: "4320p" }),
    ),
    fails(
      "a tier that is not a resolution cannot be ordered",
      rule("resolution_tier", "gt", "720p"),
      'resolution_tier is "8K", which cannot be compared with "720p"',
      asset({ resolution_tier: "8K" }),
    ),
    passes("resolution_tier in", rule("resolution_tier", "in", ["720p", "1080p"])),
    passes("max_resolution_tier equals", rule("max_resolution_tier", "equals", "2160p")),
    passes("video_quality gte plus", rule("video_quality", "gte", "plus")),
    fails(
      "video_quality gt plus",
      rule("video_quality", "gt", "plus"),
      'video_quality is "plus", not greater than "plus"',
    ),
    passes("video_quality lt premium", rule("video_quality", "lt", "premium")),
    passes("video_quality not_equals basic", rule("video_quality", "not_equals", "basic")),
  ]);
});

describe("evaluateFilters: combination and ranges", () => {
  it("empty filters pass everything, even a bare asset", () => {
    expect(check({})).toEqual({ pass: true });
    expect(check({}, muxAssetSchema.parse({ id: "bare", created_at: null }))).toEqual({ pass: true });
  });

  it("rules combine with AND; the message names the first failing rule", () => {
    const title = rule("meta.title", "contains", "review");
    const draft = rule("meta.title", "not_contains", "quarterly");
    const short = rule("duration", "lt", 60);
    expect(check({ metadata_filters: [title, rule("duration", "gt", 60)] })).toEqual({ pass: true });
    expect(check({ metadata_filters: [title, draft, short] })).toEqual({
      pass: false,
      message: 'meta.title contains "quarterly"',
    });
    expect(check({ metadata_filters: [short, draft] })).toEqual({
      pass: false,
      message: "duration is 120.5, not less than 60",
    });
  });

  it("metadata rules are reported before the date and duration ranges", () => {
    expect(check({ min_duration_seconds: 500, metadata_filters: [rule("test", "equals", true)] })).toEqual({
      pass: false,
      message: "test is false, not true",
    });
  });

  it.each([
    [{ created_after: "2024-05-01" }, null],
    [{ created_after: CREATED }, null],
    [
      { created_after: CREATED + 1 },
      "created_at 2024-05-01T12:00:00Z is before created_after 2024-05-01T12:00:01Z",
    ],
    [{ created_before: "2024-05-02" }, null],
    [{ created_before: CREATED + 1 }, null],
    [
      { created_before: CREATED },
      "created_at 2024-05-01T12:00:00Z is not before created_before 2024-05-01T12:00:00Z",
    ],
    [{ created_after: "2024-04-01", created_before: "2024-06-01T00:00:00Z" }, null],
    [
      { created_after: "2024-05-02", created_before: "2024-06-01" },
      "created_at 2024-05-01T12:00:00Z is before created_after 2024-05-02T00:00:00Z",
    ],
  ])("created range %j (after inclusive, before exclusive)", (filters, message) => {
    expect(check(filters)).toEqual(message === null ? { pass: true } : { pass: false, message });
  });

  it("a created range fails an asset whose created_at is unknown", () => {
    expect(check({ created_after: 0 }, asset({ created_at: null }))).toEqual({
      pass: false,
      message: "created_at is missing, so created_after/created_before cannot be checked",
    });
  });

  it.each([
    [{ min_duration_seconds: 120.5 }, null],
    [{ max_duration_seconds: 120.5 }, null],
    [{ min_duration_seconds: 10, max_duration_seconds: 600 }, null],
    [{ min_duration_seconds: 121 }, "duration 120.5 s is shorter than min_duration_seconds 121"],
    [{ max_duration_seconds: 60 }, "duration 120.5 s is longer than max_duration_seconds 60"],
  ])("duration range %j (both bounds inclusive)", (filters, message) => {
    expect(check(filters)).toEqual(message === null ? { pass: true } : { pass: false, message });
  });

  it("a duration range fails an asset whose duration is unknown", () => {
    expect(check({ max_duration_seconds: 60 }, asset({ duration: null }))).toEqual({
      pass: false,
      message: "duration is missing, so min/max_duration_seconds cannot be checked",
    });
  });
});

describe("isEmptyFilters", () => {
  it.each([
    [{}, true],
    [{ metadata_filters: [] }, true],
    [{ metadata_filters: null, created_after: null, max_duration_seconds: null }, true],
    [{ metadata_filters: [rule("test", "exists")] }, false],
    [{ created_before: "2024-01-01" }, false],
    [{ min_duration_seconds: 0 }, false],
  ])("%j → %s", (input, expected) => {
    const parsed = parseFileFilters(input);
    expect(parsed.ok && isEmptyFilters(parsed.value)).toBe(expected);
  });
});

describe("parseFileFilters: every kind of bad rule is named", () => {
  const valid = [rule("meta.title", "contains", "a"), rule("duration", "gt", 1)];

  it.each([
    ["not an object", null, "file_filters must be an object"],
    ["an array", [], "file_filters must be an object"],
    [
      "an unknown top-level key",
      { metadata_filter: [] },
      'file_filters has unknown key "metadata_filter" (allowed: metadata_filters, created_after, created_before, min_duration_seconds, max_duration_seconds)',
    ],
    [
      "metadata_filters not a list",
      { metadata_filters: {} },
      "metadata_filters must be a list of rules {field, operator, value}",
    ],
    [
      "a rule that is not an object",
      { metadata_filters: ["duration > 3"] },
      "metadata_filters[0] must be an object",
    ],
    [
      "an unknown key in a rule",
      { metadata_filters: [{ ...rule("test", "exists"), values: [1] }] },
      'metadata_filters[0] has unknown key "values" (allowed: field, operator, value)',
    ],
    [
      "an unknown field",
      { metadata_filters: [rule("title", "equals", "x")] },
      `metadata_filters[0].field must be one of ${FILTER_FIELDS.join(", ")}`,
    ],
    [
      "an unknown operator",
      { metadata_filters: [rule("duration", ">", 3)] },
      "metadata_filters[0].operator must be one of equals, not_equals, contains, not_contains, gt, lt, gte, lte, exists, in",
    ],
    [
      "an operator the field does not support",
      { metadata_filters: [rule("duration", "contains", "3")] },
      'metadata_filters[0].operator "contains" is not allowed on "duration" (allowed: equals, not_equals, in, gt, lt, gte, lte, exists)',
    ],
    [
      "ordering a plain string field",
      { metadata_filters: [rule("passthrough", "gt", "a")] },
      'metadata_filters[0].operator "gt" is not allowed on "passthrough" (allowed: equals, not_equals, contains, not_contains, in, exists)',
    ],
    [
      "a string where a number is needed (third rule)",
      { metadata_filters: [...valid, rule("duration", "gt", "60")] },
      'metadata_filters[2].value must be a number for operator "gt" on "duration"',
    ],
    [
      "a missing value",
      { metadata_filters: [rule("meta.title", "equals")] },
      'metadata_filters[0].value is required for operator "equals" on "meta.title"',
    ],
    [
      "an empty string",
      { metadata_filters: [rule("meta.title", "contains", "")] },
      'metadata_filters[0].value must be a non-empty string for operator "contains" on "meta.title"',
    ],
    [
      "a number where a string is needed",
      { metadata_filters: [rule("upload_id", "equals", 7)] },
      'metadata_filters[0].value must be a non-empty string for operator "equals" on "upload_id"',
    ],
    [
      "a string where a boolean is needed",
      { metadata_filters: [rule("test", "equals", "true")] },
      'metadata_filters[0].value must be true or false for operator "equals" on "test"',
    ],
    [
      "exists with a non-boolean",
      { metadata_filters: [rule("passthrough", "exists", "yes")] },
      'metadata_filters[0].value must be true, false or omitted for operator "exists" on "passthrough"',
    ],
    [
      "in without a list",
      { metadata_filters: [rule("meta.title", "in", "a")] },
      'metadata_filters[0].value must be a list of 1 to 100 values for operator "in" on "meta.title"',
    ],
    [
      "in with an empty list",
      { metadata_filters: [rule("duration", "in", [])] },
      'metadata_filters[0].value must be a list of 1 to 100 values for operator "in" on "duration"',
    ],
    [
      "in with a wrong item",
      { metadata_filters: [rule("duration", "in", [1, "2"])] },
      'metadata_filters[0].value[1] must be a number for operator "in" on "duration"',
    ],
    [
      "a date that is not ISO 8601",
      { metadata_filters: [rule("created_at", "gt", "May 1 2024")] },
      'metadata_filters[0].value must be an ISO 8601 date or datetime (e.g. "2024-05-01" or "2024-05-01T12:00:00Z") or unix seconds for operator "gt" on "created_at"',
    ],
    [
      "a resolution tier that is not one",
      { metadata_filters: [rule("resolution_tier", "gte", "HD")] },
      'metadata_filters[0].value must be a resolution tier such as "720p", "1080p", "2160p" or "audio-only" for operator "gte" on "resolution_tier"',
    ],
    [
      "an unknown video quality",
      { metadata_filters: [rule("video_quality", "equals", "gold")] },
      'metadata_filters[0].value must be one of "basic", "plus", "premium" for operator "equals" on "video_quality"',
    ],
    [
      "a string longer than allowed",
      { metadata_filters: [rule("meta.title", "equals", "x".repeat(1025))] },
      'metadata_filters[0].value must be a string of at most 1024 characters for operator "equals" on "meta.title"',
    ],
    [
      "too many rules",
      { metadata_filters: Array.from({ length: 51 }, () => rule("test", "exists")) },
      "metadata_filters may hold at most 50 rules",
    ],
    [
      "an invalid created_after",
      { created_after: "2024-02-30" },
      'created_after must be an ISO 8601 date or datetime (e.g. "2024-05-01" or "2024-05-01T12:00:00Z") or unix seconds',
    ],
    [
      "a negative duration bound",
      { min_duration_seconds: -1 },
      "min_duration_seconds must be a number of seconds, at least 0",
    ],
    [
      "a duration bound as a string",
      { max_duration_seconds: "60" },
      "max_duration_seconds must be a number of seconds",
    ],
    [
      "min above max",
      { min_duration_seconds: 60, max_duration_seconds: 30 },
      "max_duration_seconds must be at least min_duration_seconds (60)",
    ],
    [
      "after not before before",
      { created_after: "2024-05-01", created_before: 1714521600 },
      "created_before must be later than created_after (2024-05-01T00:00:00Z)",
    ],
  ])("%s", (_name, input, problem) => {
    expect(parseFileFilters(input)).toEqual({ ok: false, problems: [problem] });
  });

  it("reports every problem at once, range checks included", () => {
    const result = parseFileFilters({
      metadata_filters: [rule("duration", "gt", "a"), rule("nope", "equals", 1)],
      min_duration_seconds: 9,
      max_duration_seconds: 1,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'metadata_filters[0].value must be a number for operator "gt" on "duration"',
      `metadata_filters[1].field must be one of ${FILTER_FIELDS.join(", ")}`,
      "max_duration_seconds must be at least min_duration_seconds (9)",
    ]);
  });

  it("the schema's issue path names the rule and its key", () => {
    const result = fileFiltersSchema.safeParse({
      metadata_filters: [rule("test", "exists"), rule("test", "exists"), rule("duration", "gt", "60")],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["metadata_filters", 2, "value"]]);
  });

  it("keeps valid filters as written, so a stored sync reads back what was sent, and re-parses the same", () => {
    const input = {
      metadata_filters: [rule("created_at", "gte", "2024-05-01"), rule("passthrough", "exists", false)],
      created_after: "2024-01-01T00:00:00+01:00",
      created_before: 1893456000,
      min_duration_seconds: 0,
      max_duration_seconds: 3600,
    };
    const first = parseFileFilters(input);
    expect(first).toEqual({ ok: true, value: input });
    const again = parseFileFilters(JSON.parse(JSON.stringify(first.ok && first.value)));
    expect(again).toEqual(first);
  });
});

describe("parseTimeValue", () => {
  it.each([
    ["2024-05-01", 1714521600],
    ["2024-05-01T12:00:00Z", CREATED],
    ["2024-05-01t12:00:00z", CREATED],
    ["2024-05-01T12:00Z", CREATED],
    ["2024-05-01T14:00:00+02:00", CREATED],
    ["2024-05-01T14:00:00+0200", CREATED],
    ["2024-05-01T12:00:00", CREATED],
    ["2024-05-01T12:00:00.250Z", CREATED + 0.25],
    ["2024-02-29", 1709164800],
    [CREATED, CREATED],
    [0, 0],
  ])("%j → %s (offset-less datetimes are UTC)", (input, expected) => {
    expect(parseTimeValue(input)).toBe(expected);
  });

  it.each([
    ["not a date", "May 1 2024"],
    ["no month 13", "2024-13-01"],
    ["no 29 February in 2023", "2023-02-29"],
    ["no 30 February", "2024-02-30"],
    ["no hour 24", "2024-05-01T24:00:00Z"],
    ["a numeric string", "1714564800"],
    ["a negative number", -1],
    ["not a number", Number.NaN],
    ["a boolean", true],
    ["null", null],
  ])("rejects %s", (_name, input) => {
    expect(parseTimeValue(input)).toBeNull();
  });
});

describe("evaluateFilters: properties over generated assets and rules", () => {
  /** A small deterministic PRNG, so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
  }
  const words = ["alpha", "Beta", "gamma", "ALPHA", "beta-gamma"];

  function generatedAsset(next: () => number): MuxAsset {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    return asset({
      passthrough: pick([...words, "", null]),
      meta: { title: pick([...words, null]) },
      duration: pick([0, 1.5, 60, 3600, null]),
      test: pick([true, false, undefined]),
      created_at: pick([0, CREATED, CREATED + 86_400, null]),
    });
  }

  const verdict = (target: MuxAsset, r: ReturnType<typeof rule>) =>
    check({ metadata_filters: [r] }, target).pass;

  it("opposite operators never both pass, and exactly one passes when the field is set", () => {
    const next = random(42);
    for (let i = 0; i < 150; i++) {
      const target = generatedAsset(next);
      for (const field of ["passthrough", "meta.title"] as const) {
        for (const word of words) {
          const eq = verdict(target, rule(field, "equals", word));
          const ne = verdict(target, rule(field, "not_equals", word));
          const has = verdict(target, rule(field, "contains", word));
          const hasNot = verdict(target, rule(field, "not_contains", word));
          expect(eq && ne).toBe(false);
          expect(has && hasNot).toBe(false);
          const set = verdict(target, rule(field, "exists"));
          expect(set).toBe(!verdict(target, rule(field, "exists", false)));
          if (set) {
            expect(eq || ne).toBe(true);
            expect(has || hasNot).toBe(true);
          }
          if (eq) expect(has).toBe(true);
        }
      }
      for (const bound of [0, 60, 100]) {
        const gt = verdict(target, rule("duration", "gt", bound));
        const lte = verdict(target, rule("duration", "lte", bound));
        expect(gt && lte).toBe(false);
        if (target.duration != null) expect(gt || lte).toBe(true);
      }
      expect(check({}, target)).toEqual({ pass: true });
    }
  });
});
