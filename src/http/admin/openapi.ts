/**
 * What every admin resource's schemas and routes share: field builders whose error messages
 * name the problem in people's words, the error and list shapes, and small builders that keep
 * each route declaration about its own shape. The same zod objects validate the requests
 * (through `@hono/zod-openapi`'s validator) and generate `/openapi.json`, so the documentation
 * cannot drift from what the server accepts.
 */
import { z } from "@hono/zod-openapi";

/**
 * Compile-time proof that a response schema documents exactly the view a verb returns: use as
 * `const _: Documents<typeof schema, View> = true;` next to the schema.
 */
export type Documents<Schema extends z.ZodType, View> = [z.output<Schema>] extends [View]
  ? [View] extends [z.output<Schema>]
    ? true
    : never
  : never;

/** zod's default for a missing key is "expected string, received undefined"; people want "is required". */
export const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : `must be ${what}`;

export const text = (max: number) =>
  z
    .string({ error: expected("a string") })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` });

/** A write-only secret: accepted here, sealed at rest, shown back only as a mask. */
export const secret = (max: number) =>
  z
    .string({ error: expected("a string") })
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => v.trim() === v, { error: "must not start or end with whitespace" });

export const httpUrl = z
  .string({ error: expected("an http(s) URL") })
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), { error: "must be an http(s) URL" })
  .openapi({ example: "https://pipeline.example.com/hooks/mux", format: "uri" });

export const unknownKeys =
  (allowed: readonly string[]) => (issue: { code?: string; keys?: readonly string[] }) =>
    issue.code === "unrecognized_keys" && issue.keys
      ? `has unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")} (allowed: ${allowed.join(", ")})`
      : "must be a JSON object";

export const boolFlag = z
  .enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' })
  .transform((v) => v === "true" || v === "1")
  .optional();

export const limit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number from 1 to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `must be a whole number from 1 to ${max}` })
        .max(max, { error: `must be a whole number from 1 to ${max}` }),
    )
    .optional()
    .transform((v) => v ?? fallback)
    .openapi({ type: "integer", example: fallback });

export const pathParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .openapi({ param: { name, in: "path" }, example });

export const time = z
  .string()
  .nullable()
  .openapi({ format: "date-time", example: "2026-01-01T00:00:00.000Z" });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item) }).openapi(name);

export const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) }).openapi("Deleted");

export const forceQuerySchema = z.object({
  force: boolFlag.openapi({ description: "Delete even when syncs still use it (they are deleted too)." }),
});

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

const error = (description: string) => jsonContent(errorSchema, description);

/** The failures every admin route can answer with. */
export const commonErrors = {
  401: error("Missing or wrong bearer token"),
  503: error("The admin API is disabled (ADMIN_TOKEN is not set)"),
} as const;

export const validationFailed = { 400: error("Validation failed; `details` names each bad field") } as const;
export const notFound = { 404: error("No such resource") } as const;
export const conflict = { 409: error("Refused in the resource's current state") } as const;

export const security = [{ bearer: [] }];
