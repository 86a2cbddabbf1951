/**
 * The metadata searches and their indexes agree: SQLite uses an expression index only for the
 * very expression it was built on, so the one the queries use (`METADATA_SEARCH_INDEXES`) must be
 * the one migration 0013 creates, index by index. (The query plans test checks each is walked.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { METADATA_SEARCH_INDEXES, SEARCH_FIELDS } from "../../src/resources/object-browser";

const MIGRATION = readFileSync(
  join(import.meta.dirname, "../../migrations/0013_object_search_indexes.sql"),
  "utf8",
);

describe("the metadata search indexes", () => {
  it("are created by migration 0013 on exactly the expressions the searches use", () => {
    for (const { index, expression } of Object.values(METADATA_SEARCH_INDEXES))
      expect(MIGRATION).toContain(`CREATE INDEX \`${index}\` ON \`objects\` (\`bucket_id\`, ${expression});`);
    expect(MIGRATION.match(/CREATE INDEX/g)).toHaveLength(Object.keys(METADATA_SEARCH_INDEXES).length);
  });

  it("cover every searchable metadata field (asset ids use the unique index)", () => {
    expect(Object.keys(METADATA_SEARCH_INDEXES).sort()).toEqual(
      SEARCH_FIELDS.filter((f) => f !== "asset_id").sort(),
    );
  });
});
