/**
 * Connection verbs for the admin API and the CLI. Secrets arrive in clear, are registered with
 * the redactor at once (so no log line can ever carry them), sealed with the SecretBox, and only
 * their masks come back out.
 */
import { asc, eq, inArray } from "drizzle-orm";
import { connections, syncs } from "../db/schema";
import type {
  ConnectionCreateInput,
  ConnectionPatchInput,
  ConnectionTestResult,
  ConnectionView,
} from "../http/admin/schemas";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { MuxCredentials } from "../mux/client";
import type { AppServices } from "../service-graph";
import { sealConnectionSecrets } from "../sync/seal-secrets";
import { testCredentials } from "./connection-test";
import { presentConnection } from "./present";
import { deleteSyncStatements } from "./sync-removal";

type ConnectionRow = typeof connections.$inferSelect;

export async function findConnection(services: AppServices, id: string): Promise<ConnectionRow> {
  const row = await services.database.db.select().from(connections).where(eq(connections.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Connection ${id} does not exist`);
  return row;
}

async function syncIdsByConnection(services: AppServices, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return map;
  const rows = await services.database.db
    .select({ id: syncs.id, connectionId: syncs.connectionId })
    .from(syncs)
    .where(inArray(syncs.connectionId, ids))
    .orderBy(asc(syncs.id))
    .all();
  for (const row of rows) map.get(row.connectionId)?.push(row.id);
  return map;
}

async function view(services: AppServices, row: ConnectionRow): Promise<ConnectionView> {
  const syncIds = await syncIdsByConnection(services, [row.id]);
  return presentConnection(row, syncIds.get(row.id) ?? []);
}

function rememberSecrets(services: AppServices, credentials: MuxCredentials & { webhookSecrets: string[] }) {
  services.redactor.add(
    credentials.tokenSecret,
    credentials.signingPrivateKey,
    ...credentials.webhookSecrets,
  );
}

async function requireAccepted(
  services: AppServices,
  credentials: MuxCredentials,
): Promise<ConnectionTestResult> {
  const result = await testCredentials(services, credentials);
  if (!result.success) {
    throw new AppError(
      "VALIDATION",
      `Mux did not accept these credentials, so nothing was saved: ${result.message}`,
      {
        details: [{ field: "access_token_secret", message: result.message, test: result }],
      },
    );
  }
  return result;
}

function testColumns(result: ConnectionTestResult | null, now: number) {
  return result
    ? { lastTestAt: now, lastTestSuccess: result.success, lastTestMessage: result.message }
    : { lastTestAt: null, lastTestSuccess: null, lastTestMessage: null };
}

export async function createConnection(
  services: AppServices,
  input: ConnectionCreateInput,
  options: { validate?: boolean } = {},
): Promise<ConnectionView> {
  const credentials = {
    tokenId: input.access_token_id,
    tokenSecret: input.access_token_secret,
    webhookSecrets: input.webhook_secrets ?? [],
    signingKeyId: input.signing_key_id ?? null,
    signingPrivateKey: input.signing_private_key ?? null,
  };
  rememberSecrets(services, credentials);
  const tested = options.validate || input.validate ? await requireAccepted(services, credentials) : null;
  const now = services.clock.now();
  const sealed = await sealConnectionSecrets(services.box, {
    accessTokenSecret: credentials.tokenSecret,
    webhookSecrets: credentials.webhookSecrets,
    signingPrivateKey: credentials.signingPrivateKey,
  });
  const id = newId("con");
  await services.database.db.insert(connections).values({
    id,
    name: input.name,
    provider: input.provider,
    accessTokenId: input.access_token_id,
    ...sealed,
    signingKeyId: credentials.signingKeyId,
    origin: "api",
    ...testColumns(tested, now),
    createdAt: now,
    updatedAt: now,
  });
  services.logger.info("Connection created", { connection_id: id, validated: tested !== null });
  return view(services, await findConnection(services, id));
}

export async function listConnections(services: AppServices): Promise<ConnectionView[]> {
  const rows = await services.database.db
    .select()
    .from(connections)
    .orderBy(asc(connections.createdAt))
    .all();
  const syncIds = await syncIdsByConnection(
    services,
    rows.map((r) => r.id),
  );
  return rows.map((row) => presentConnection(row, syncIds.get(row.id) ?? []));
}

export async function getConnection(services: AppServices, id: string): Promise<ConnectionView> {
  return view(services, await findConnection(services, id));
}

/** Rotates secrets or renames. Fields left out keep their value; `null` clears an optional one. */
export async function updateConnection(
  services: AppServices,
  id: string,
  patch: ConnectionPatchInput,
  options: { validate?: boolean } = {},
): Promise<ConnectionView> {
  const row = await findConnection(services, id);
  const current = await services.credentials.get(id);
  const next = {
    tokenId: patch.access_token_id ?? current.tokenId,
    tokenSecret: patch.access_token_secret ?? current.tokenSecret,
    webhookSecrets:
      patch.webhook_secrets === undefined ? current.webhookSecrets : (patch.webhook_secrets ?? []),
    signingKeyId: patch.signing_key_id === undefined ? current.signingKeyId : patch.signing_key_id,
    signingPrivateKey:
      patch.signing_private_key === undefined ? current.signingPrivateKey : patch.signing_private_key,
  };
  rememberSecrets(services, next);
  const credentialsChanged =
    next.tokenId !== current.tokenId ||
    next.tokenSecret !== current.tokenSecret ||
    next.signingKeyId !== current.signingKeyId ||
    next.signingPrivateKey !== current.signingPrivateKey;
  const tested = options.validate || patch.validate ? await requireAccepted(services, next) : null;
  const now = services.clock.now();
  const sealed = await sealConnectionSecrets(services.box, {
    accessTokenSecret: next.tokenSecret,
    webhookSecrets: next.webhookSecrets,
    signingPrivateKey: next.signingPrivateKey,
  });
  await services.database.db
    .update(connections)
    .set({
      name: patch.name ?? row.name,
      accessTokenId: next.tokenId,
      ...sealed,
      signingKeyId: next.signingKeyId,
      // A test of the old credentials says nothing about the new ones.
      ...(tested || credentialsChanged ? testColumns(tested, now) : {}),
      // Strictly increasing: the credentials cache (also in other processes) reloads on a new updated_at.
      updatedAt: Math.max(now, row.updatedAt + 1),
    })
    .where(eq(connections.id, id));
  services.credentials.invalidate(id);
  services.logger.info("Connection updated", { connection_id: id, credentials_changed: credentialsChanged });
  return view(services, await findConnection(services, id));
}

/** Refused while syncs use the connection, unless `force` (then those syncs go too). */
export async function deleteConnection(
  services: AppServices,
  id: string,
  options: { force?: boolean } = {},
): Promise<void> {
  await findConnection(services, id);
  const syncIds = (await syncIdsByConnection(services, [id])).get(id) ?? [];
  if (syncIds.length > 0 && !options.force) {
    throw new AppError(
      "CONFLICT",
      `Connection ${id} is used by ${syncIds.length} sync(s) (${syncIds.join(", ")}): delete them first, or pass ?force=true to delete them with it`,
      { details: { sync_ids: syncIds } },
    );
  }
  const { db } = services.database;
  await services.database.atomic([
    ...syncIds.flatMap((syncId) => deleteSyncStatements(db, syncId)),
    db.delete(connections).where(eq(connections.id, id)),
  ]);
  services.credentials.invalidate(id);
  services.logger.info("Connection deleted", { connection_id: id, syncs_deleted: syncIds.length });
}
