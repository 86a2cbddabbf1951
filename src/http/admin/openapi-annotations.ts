/**
 * `file_filters` checks a few values with `z.custom` (a date that may be ISO text or unix
 * seconds, a rule value whose type depends on the rule's field), which has no JSON-schema shape
 * of its own. This tells the OpenAPI generator what those values look like, by attaching zod
 * metadata to the very schema instances that validate requests; validation is untouched.
 */
import { z } from "@hono/zod-openapi";
import { fileFiltersSchema } from "../../sync/filters";

type Wrapped = { _zod: { def: { innerType?: unknown; element?: unknown; shape?: Record<string, unknown> } } };

/** Through `.optional()`, `.nullable()`, `.nullish()` to the schema they wrap. */
function unwrap(schema: unknown): Wrapped | null {
  let current = schema as Wrapped | undefined;
  while (current?._zod?.def?.innerType) current = current._zod.def.innerType as Wrapped;
  return current ?? null;
}

function annotate(schema: Wrapped | null, meta: Record<string, unknown>): void {
  if (schema && !z.globalRegistry.has(schema as unknown as z.ZodType)) {
    z.globalRegistry.add(schema as unknown as z.ZodType, meta);
  }
}

export function describeFilterSchemasForOpenApi(): void {
  const shape = fileFiltersSchema.shape as Record<string, unknown>;
  const timeBound = {
    type: ["string", "number"],
    description: 'ISO 8601 date or datetime ("2024-05-01", "2024-05-01T12:00:00Z") or unix seconds.',
  };
  annotate(unwrap(shape.created_after), timeBound);
  annotate(unwrap(shape.created_before), timeBound);
  const rules = unwrap(shape.metadata_filters);
  const rule = unwrap(rules?._zod.def.element);
  annotate(unwrap(rule?._zod.def.shape?.value), {
    type: ["string", "number", "boolean", "array"],
    description: "Compared with the field; a list for `in`; true/false or omitted for `exists`.",
  });
}
