/** `/v1/connections`: request and response shapes (secrets write-only, answered as masks). */
import { z } from "@hono/zod-openapi";
import type { ConnectionTestResult, ConnectionView } from "../../../resources/views";
import { boolFlag, type Documents, expected, pathParam, secret, text, time, unknownKeys } from "../openapi";

const CONNECTION_KEYS = [
  "name",
  "provider",
  "access_token_id",
  "access_token_secret",
  "webhook_secrets",
  "signing_key_id",
  "signing_private_key",
  "environment_id",
  "validate",
] as const;

const uuid = z
  .string({ error: expected("a UUID (the Mux Access Token ID)") })
  .trim()
  .pipe(z.uuid({ error: "must be a UUID (the Mux Access Token ID)" }))
  .openapi({ example: "8c3f6b1e-2d4a-4f7b-9e1c-5a6d7e8f9a0b", format: "uuid" });

const signingPairCheck = (
  body: { signing_key_id?: string | null; signing_private_key?: string | null },
  ctx: z.RefinementCtx,
) => {
  const id = body.signing_key_id;
  const key = body.signing_private_key;
  // `undefined` means "not sent" (a patch leaves it alone); both must be sent or cleared together.
  if ((id === undefined) !== (key === undefined) || (id === null) !== (key === null)) {
    ctx.addIssue({
      code: "custom",
      path: [id === undefined || id === null ? "signing_key_id" : "signing_private_key"],
      message: "signing_key_id and signing_private_key go together (signed playback needs both)",
    });
  }
};

export const connectionCreateSchema = z
  .strictObject(
    {
      name: text(200).openapi({ example: "Production" }),
      provider: z.literal("mux", { error: 'must be "mux"' }).default("mux"),
      access_token_id: uuid,
      access_token_secret: secret(1024).openapi({ description: "Write-only; answered as a mask." }),
      webhook_secrets: z
        .array(secret(1024), { error: "must be a list of strings" })
        .max(10, { error: "may hold at most 10 secrets" })
        .optional()
        .openapi({ description: "Mux webhook signing secrets; several during a rotation. Write-only." }),
      signing_key_id: text(200).optional(),
      signing_private_key: secret(20_000)
        .optional()
        .openapi({ description: "RS256 private key (PEM or base64 PEM) for signed playback. Write-only." }),
      validate: z
        .boolean({ error: "must be true or false" })
        .optional()
        .openapi({ description: "Test the credentials against Mux before saving (same as ?validate=true)." }),
    },
    { error: unknownKeys(CONNECTION_KEYS.filter((k) => k !== "environment_id")) },
  )
  .superRefine(signingPairCheck)
  .openapi("ConnectionCreate");

export const connectionPatchSchema = z
  .strictObject(
    {
      name: text(200).optional(),
      access_token_id: uuid.optional(),
      access_token_secret: secret(1024).optional(),
      webhook_secrets: z
        .array(secret(1024), { error: "must be a list of strings" })
        .max(10, { error: "may hold at most 10 secrets" })
        .nullable()
        .optional()
        .openapi({ description: "Replaces the whole list; null or [] removes every secret." }),
      signing_key_id: text(200).nullable().optional(),
      signing_private_key: secret(20_000).nullable().optional(),
      environment_id: text(100).optional().openapi({
        description:
          "Re-pin the connection to this Mux environment (the token must reach it): the syncs suspended because the token changed environment run again.",
      }),
      validate: z.boolean({ error: "must be true or false" }).optional(),
    },
    { error: unknownKeys(CONNECTION_KEYS.filter((k) => k !== "provider")) },
  )
  .superRefine(signingPairCheck)
  .openapi("ConnectionPatch");

export const validateQuerySchema = z.object({
  validate: boolFlag.openapi({ description: "Test the credentials against Mux before saving." }),
});

export const connectionParams = z.object({ id: pathParam("id", "con_default") });

export const connectionTestResultSchema = z
  .object({
    success: z.boolean(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).openapi({
      description:
        "On success: environment_id, environment_name, permissions (as whoami lists them), can_write (whether the token can create static renditions, as create_renditions needs: from whoami's permissions where Mux lists a write one, else what a create answered before, a 403 meaning false; null when unknown) and base_url. On failure: reason (unauthorized, forbidden, rate_limited, network, upstream) and status.",
    }),
  })
  .openapi("ConnectionTestResult");

export const connectionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    provider: z.string(),
    access_token_id: z.string(),
    access_token_secret: z.string().nullable().openapi({ example: "****c0ff" }),
    webhook_secrets: z.array(z.string()).openapi({ example: ["****9a0b"] }),
    signing_key_id: z.string().nullable(),
    signing_private_key: z.string().nullable().openapi({ example: "****IDAQ" }),
    origin: z.string().openapi({ description: "`env` when created from the environment, `api` otherwise." }),
    environment: z.object({ id: z.string(), name: z.string().nullable() }).nullable().openapi({
      description: "The Mux environment the connection is pinned to, from its first successful use.",
    }),
    last_test: z
      .object({ success: z.boolean().nullable(), message: z.string().nullable(), at: time })
      .nullable(),
    sync_ids: z.array(z.string()),
    created_at: time,
    updated_at: time,
  })
  .openapi("Connection");

const _connection: Documents<typeof connectionSchema, ConnectionView> = true;
const _testResult: Documents<typeof connectionTestResultSchema, ConnectionTestResult> = true;
