/** Small builders that keep each route declaration about its own shape, not boilerplate. */
import type { z } from "@hono/zod-openapi";
import { errorSchema } from "./schemas";

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
