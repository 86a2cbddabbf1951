/**
 * The published JSON Schema of the pipeline's body is generated from the one zod schema of it:
 * the file must be what the generator writes now (`npm run docs:payload-schema`).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pipelinePayloadJsonSchemaText } from "../../src/pipeline/payload-schema";

const FILE = resolve(import.meta.dirname, "../../docs/pipeline-payload.schema.json");

describe("docs/pipeline-payload.schema.json", () => {
  it("is the JSON Schema generated from the payload's zod schema (run npm run docs:payload-schema)", () => {
    expect(readFileSync(FILE, "utf8")).toBe(pipelinePayloadJsonSchemaText());
  });

  it("refuses a body with a field it does not describe, or without tracks and images", () => {
    const schema = z.fromJSONSchema(JSON.parse(readFileSync(FILE, "utf8")));
    const body = {
      type: "object.ready",
      data: {
        bucket_id: "bkt_1",
        sync_id: "syn_1",
        object_id: "obj_1",
        source: { provider: "mux", asset_id: "a1", playback_id: "p1", playback_policy: "public" },
        rendition: null,
        metadata: null,
        tracks: [],
        images: null,
      },
    };
    expect(schema.safeParse(body).success).toBe(true);
    expect(schema.safeParse({ ...body, data: { ...body.data, extra: 1 } }).success).toBe(false);
    const { tracks: _tracks, ...withoutTracks } = body.data;
    expect(schema.safeParse({ ...body, data: withoutTracks }).success).toBe(false);
    expect(schema.safeParse({ ...body, type: "object.moved" }).success).toBe(false);
  });
});
