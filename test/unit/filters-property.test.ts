/**
 * `parseFileFilters` under arbitrary input (it parses what API clients send): a valid value, or a
 * list of problems that each name where they are; never an exception. A parsed value survives a
 * JSON round trip (it is stored as JSON on the sync) and parses again to itself.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FILTER_FIELDS, FILTER_OPERATORS } from "../../src/sync/filter-values";
import { parseFileFilters } from "../../src/sync/filters";

const TOP_LEVEL = [
  "metadata_filters",
  "created_after",
  "created_before",
  "min_duration_seconds",
  "max_duration_seconds",
];

const ruleValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 5 }),
  fc.constantFrom("1080p", "720p", "premium", "2024-05-01", "2024-05-01T12:00:00Z", "yesterday"),
);

const rule = fc.record(
  {
    field: fc.oneof(fc.constantFrom(...FILTER_FIELDS), fc.string({ maxLength: 10 })),
    operator: fc.oneof(fc.constantFrom(...FILTER_OPERATORS), fc.string({ maxLength: 6 })),
    value: ruleValue,
  },
  { requiredKeys: [] },
);

const filtersLike = fc.record(
  {
    metadata_filters: fc.oneof(fc.array(rule, { maxLength: 6 }), fc.constant(null), fc.anything()),
    created_after: fc.oneof(
      ruleValue,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    created_before: fc.oneof(
      ruleValue,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    min_duration_seconds: ruleValue,
    max_duration_seconds: ruleValue,
  },
  { requiredKeys: [] },
);

const anyInput = fc.oneof(
  filtersLike,
  fc.anything(),
  fc.jsonValue(),
  fc.dictionary(fc.string(), fc.anything()),
);

describe("parseFileFilters on arbitrary input", () => {
  it("returns a valid value or named problems, and never throws", () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = parseFileFilters(input);
        if (result.ok) {
          // What is stored is JSON: the value must survive the trip and mean the same thing.
          const stored = JSON.parse(JSON.stringify(result.value)) as unknown;
          const again = parseFileFilters(stored);
          expect(again.ok).toBe(true);
          if (again.ok) expect(again.value).toEqual(result.value);
          return;
        }
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) {
          const where = problem.split(" ")[0] ?? "";
          expect(
            where === "file_filters" || TOP_LEVEL.some((key) => where.startsWith(key)),
            `"${problem}" says where the problem is`,
          ).toBe(true);
          expect(problem.length).toBeLessThan(2_000);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("refuses unix seconds beyond what a Date can hold with a named problem (regression: RangeError)", () => {
    for (const input of [
      { created_after: 8_640_000_000_000.001, created_before: "1970-01-01T00:00:00.000Z" },
      { created_before: 1e300 },
      { metadata_filters: [{ field: "created_at", operator: "gt", value: Number.MAX_VALUE }] },
    ]) {
      const result = parseFileFilters(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.join("\n")).toMatch(/^(created_|metadata_filters)/);
    }
    expect(parseFileFilters({ created_after: 8_640_000_000_000 }).ok).toBe(true);
  });

  it("keeps no -0, which JSON would store as 0 (regression: a saved sync read back differently)", () => {
    for (const input of [
      { min_duration_seconds: -0 },
      { created_after: -0 },
      { metadata_filters: [{ field: "duration", operator: "equals", value: -0 }] },
      { metadata_filters: [{ field: "duration", operator: "in", value: [-0, 1] }] },
    ]) {
      const result = parseFileFilters(input);
      expect(result.ok).toBe(true);
      if (result.ok) expect(parseFileFilters(JSON.parse(JSON.stringify(result.value)))).toEqual(result);
    }
  });

  it("caps the size of what it accepts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 51, max: 200 }), (count) => {
        const rules = Array.from({ length: count }, () => ({
          field: "passthrough",
          operator: "exists",
          value: true,
        }));
        expect(parseFileFilters({ metadata_filters: rules }).ok).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});
