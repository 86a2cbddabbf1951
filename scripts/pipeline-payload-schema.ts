/**
 * Writes `docs/pipeline-payload.schema.json`, the JSON Schema of what the pipeline receives, from
 * the one zod schema of it (`src/pipeline/payload-schema.ts`). `test/unit/payload-schema.test.ts`
 * fails while the file is stale: run `npm run docs:payload-schema` after changing the payload.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pipelinePayloadJsonSchemaText } from "../src/pipeline/payload-schema";

const target = resolve(import.meta.dirname, "../docs/pipeline-payload.schema.json");
writeFileSync(target, pipelinePayloadJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
