/**
 * Connection verbs for the admin API and the CLI. Secrets arrive in clear, are sealed with the
 * SecretBox, and only their masks come back out. They are registered with the redactor once
 * stored: a value that was refused (bad request, Mux said no) is not a secret of ours, and
 * registering it would mask that text in every later line.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { renditionRequests } from "../db/rendition-requests";
import { connections, syncs } from "../db/schema";
import { schedulePass } from "../jobs/reconcile";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { MuxCredentials } from "../mux/client";
import { type ConnectionCredentials, UnopenableCredentialsError } from "../sync/connection-credentials";
import type { Deps } from "../sync/deps";
import { requireEnvironment, resumeEnvironmentSuspended } from "../sync/environment-guard";
import { sealConnectionSecrets } from "../sync/seal-secrets";
import { DEFAULT_IDS } from "./bootstrap";
import { rejudgeReadOnlySkips, testCredentials } from "./connection-test";
import { presentConnection } from "./present";
import { deleteSyncStatements } from "./sync-removal";
import type {
  ConnectionCreateInput,
  ConnectionPatchInput,
  ConnectionTestResult,
  ConnectionView,
} from "./views";

type ConnectionRow = typeof connections.$inferSelect;
type ConnectionDeps = Pick<
  Deps,
  | "database"
  | "clock"
  | "logger"
  | "redactor"
  | "box"
  | "credentials"
  | "jobs"
  | "metrics"
  | "doorbell"
  | "routing"
>;

export async function findConnection(deps: Pick<Deps, "database">, id: string): Promise<ConnectionRow> {
  const row = await deps.database.db.select().from(connections).where(eq(connections.id, id)).get();
  if (!row) throw new AppError("NOT_FOUND", `Connection ${id} does not exist`);
  return row;
}

async function syncIdsByConnection(
  deps: Pick<Deps, "database">,
  ids: string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return map;
  const rows = await deps.database.db
    .select({ id: syncs.id, connectionId: syncs.connectionId })
    .from(syncs)
    .where(inArray(syncs.connectionId, ids))
    .orderBy(asc(syncs.id))
    .all();
  for (const row of rows) map.get(row.connectionId)?.push(row.id);
  return map;
}

async function view(deps: Pick<Deps, "database">, row: ConnectionRow): Promise<ConnectionView> {
  const syncIds = await syncIdsByConnection(deps, [row.id]);
  return presentConnection(row, syncIds.get(row.id) ?? []);
}

function rememberSecrets(
  deps: Pick<Deps, "redactor">,
  credentials: MuxCredentials & { webhookSecrets: string[] },
) {
  deps.redactor.add(credentials.tokenSecret, credentials.signingPrivateKey, ...credentials.webhookSecrets);
}

async function requireAccepted(
  deps: ConnectionDeps,
  credentials: MuxCredentials,
): Promise<ConnectionTestResult> {
  const result = await testCredentials(deps, { credentials });
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
  deps: ConnectionDeps,
  input: { connection: ConnectionCreateInput; validate?: boolean },
): Promise<ConnectionView> {
  const body = input.connection;
  const credentials = {
    tokenId: body.access_token_id,
    tokenSecret: body.access_token_secret,
    webhookSecrets: body.webhook_secrets ?? [],
    signingKeyId: body.signing_key_id ?? null,
    signingPrivateKey: body.signing_private_key ?? null,
  };
  const tested = input.validate || body.validate ? await requireAccepted(deps, credentials) : null;
  const now = deps.clock.now();
  const sealed = await sealConnectionSecrets(deps.box, {
    accessTokenSecret: credentials.tokenSecret,
    webhookSecrets: credentials.webhookSecrets,
    signingPrivateKey: credentials.signingPrivateKey,
  });
  const id = newId("con");
  await deps.database.db.insert(connections).values({
    id,
    name: body.name,
    provider: body.provider,
    accessTokenId: body.access_token_id,
    ...sealed,
    signingKeyId: credentials.signingKeyId,
    origin: "api",
    ...testColumns(tested, now),
    createdAt: now,
    updatedAt: now,
  });
  rememberSecrets(deps, credentials);
  // The very next webhook routes to it, whoever called (the API, the dashboard, a command).
  deps.routing.invalidate();
  deps.logger.info("Connection created", { connection_id: id, validated: tested !== null });
  return view(deps, await findConnection(deps, id));
}

export async function listConnections(deps: Pick<Deps, "database">): Promise<ConnectionView[]> {
  const rows = await deps.database.db.select().from(connections).orderBy(asc(connections.createdAt)).all();
  const syncIds = await syncIdsByConnection(
    deps,
    rows.map((r) => r.id),
  );
  return rows.map((row) => presentConnection(row, syncIds.get(row.id) ?? []));
}

export async function getConnection(
  deps: Pick<Deps, "database">,
  input: { id: string },
): Promise<ConnectionView> {
  return view(deps, await findConnection(deps, input.id));
}

/**
 * Rotates secrets, renames, or re-pins the Mux environment. Fields left out keep their value;
 * `null` clears an optional one. Re-pinning (`environment_id`) is checked against Mux: the token
 * must reach that environment; the syncs suspended for the change then run again.
 */
export async function updateConnection(
  deps: ConnectionDeps,
  input: { id: string; patch: ConnectionPatchInput; validate?: boolean },
): Promise<ConnectionView> {
  const { id, patch } = input;
  const row = await findConnection(deps, id);
  const current = await currentCredentials(deps, row, patch);
  const next = {
    tokenId: patch.access_token_id ?? current.tokenId,
    tokenSecret: patch.access_token_secret ?? current.tokenSecret,
    webhookSecrets:
      patch.webhook_secrets === undefined ? current.webhookSecrets : (patch.webhook_secrets ?? []),
    signingKeyId: patch.signing_key_id === undefined ? current.signingKeyId : patch.signing_key_id,
    signingPrivateKey:
      patch.signing_private_key === undefined ? current.signingPrivateKey : patch.signing_private_key,
  };
  const credentialsChanged =
    next.tokenId !== current.tokenId ||
    next.tokenSecret !== current.tokenSecret ||
    next.signingKeyId !== current.signingKeyId ||
    next.signingPrivateKey !== current.signingPrivateKey;
  const tested =
    input.validate || patch.validate || patch.environment_id !== undefined
      ? await requireAccepted(deps, next)
      : null;
  const repin =
    patch.environment_id === undefined ? null : confirmedEnvironment(tested, patch.environment_id);
  const now = deps.clock.now();
  const sealed = await sealConnectionSecrets(deps.box, {
    accessTokenSecret: next.tokenSecret,
    webhookSecrets: next.webhookSecrets,
    signingPrivateKey: next.signingPrivateKey,
  });
  await deps.database.db
    .update(connections)
    .set({
      name: patch.name ?? row.name,
      accessTokenId: next.tokenId,
      ...sealed,
      signingKeyId: next.signingKeyId,
      ...(repin ? { environmentId: repin.id, environmentName: repin.name } : {}),
      // A test of the old credentials says nothing about the new ones.
      ...(tested || credentialsChanged ? testColumns(tested, now) : {}),
      // A 403 to the old token says nothing about the new one (the next create tells).
      ...(credentialsChanged ? { writePermission: null } : {}),
      // Strictly increasing: the credentials cache (also in other processes) reloads on a new updated_at.
      updatedAt: Math.max(now, row.updatedAt + 1),
    })
    .where(eq(connections.id, id));
  rememberSecrets(deps, next);
  deps.credentials.invalidate(id);
  deps.routing.invalidate();
  if (repin) await resumeOnPinnedEnvironment(deps, id, "all running");
  else if (credentialsChanged) await recheckEnvironment(deps, id);
  if (credentialsChanged && row.writePermission === false) await rejudgeReadOnlySkips(deps, id);
  deps.logger.info("Connection updated", {
    connection_id: id,
    credentials_changed: credentialsChanged,
    environment: repin?.id ?? null,
  });
  return view(deps, await findConnection(deps, id));
}

/**
 * The stored credentials a patch starts from. When they cannot be opened (another ENCRYPTION_KEY
 * sealed them), a patch that supplies every stored secret still goes through: it re-seals the new
 * ones under the current key without ever decrypting the old ones. A patch that leaves a stored
 * secret in place is refused, since that secret cannot be carried over.
 */
async function currentCredentials(
  deps: ConnectionDeps,
  row: ConnectionRow,
  patch: ConnectionPatchInput,
): Promise<ConnectionCredentials> {
  try {
    return await deps.credentials.get(row.id);
  } catch (err) {
    if (!(err instanceof UnopenableCredentialsError)) throw err;
    const kept = [
      patch.access_token_secret === undefined ? "access_token_secret" : null,
      row.webhookSecrets !== null && patch.webhook_secrets === undefined ? "webhook_secrets" : null,
      row.signingPrivateKey !== null && patch.signing_private_key === undefined
        ? "signing_private_key"
        : null,
    ].filter((field): field is string => field !== null);
    if (kept.length > 0) {
      throw new AppError(
        "CONFLICT",
        `${err.message}; this change keeps ${kept.join(", ")}, which cannot be opened`,
        {
          details: kept.map((field) => ({
            field,
            message: "must be supplied again: the stored value cannot be opened",
          })),
        },
      );
    }
    return {
      id: row.id,
      tokenId: row.accessTokenId,
      tokenSecret: "",
      webhookSecrets: [],
      signingKeyId: row.signingKeyId,
      signingPrivateKey: null,
      environment: row.environmentId ? { id: row.environmentId, name: row.environmentName } : null,
      updatedAt: row.updatedAt,
    };
  }
}

/** The environment the tested token reaches, which must be the one asked for. */
function confirmedEnvironment(
  tested: ConnectionTestResult | null,
  wanted: string,
): { id: string; name: string | null } {
  const actual = tested?.details.environment_id;
  const name = tested?.details.environment_name;
  if (actual !== wanted) {
    const message = `the token reaches Mux environment ${String(actual ?? "unknown")}, not ${wanted}: nothing was changed`;
    throw new AppError("VALIDATION", `environment_id: ${message}`, {
      details: [{ field: "environment_id", message }],
    });
  }
  return { id: wanted, name: typeof name === "string" ? name : null };
}

/**
 * New credentials are checked against the pin now rather than at the next pass: a token of
 * another environment suspends the syncs at once, and the pinned environment's token coming back
 * resumes what the change suspended. Mux unreachable leaves it to the next pass.
 */
async function recheckEnvironment(deps: ConnectionDeps, connectionId: string) {
  let pinned: boolean;
  try {
    pinned = await requireEnvironment(deps, connectionId);
  } catch (error) {
    deps.logger.warn("Could not check the new token's Mux environment; the next pass will", {
      connection_id: connectionId,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  if (pinned) await resumeOnPinnedEnvironment(deps, connectionId, "resumed");
}

/**
 * Once the token reaches the pinned environment, the syncs suspended for the change run again
 * with a full pass (what happened meanwhile was not seen). After a re-pin every running sync of
 * the connection gets one: the library it mirrors is another one now.
 */
async function resumeOnPinnedEnvironment(
  deps: ConnectionDeps,
  connectionId: string,
  passFor: "resumed" | "all running",
) {
  const resumed = await resumeEnvironmentSuspended(deps, connectionId);
  const running =
    passFor === "resumed"
      ? resumed
      : (
          await deps.database.db
            .select({ id: syncs.id })
            .from(syncs)
            .where(and(eq(syncs.connectionId, connectionId), inArray(syncs.status, ["active", "completed"])))
            .all()
        ).map((sync) => sync.id);
  for (const syncId of running) await schedulePass(deps, syncId, "full");
}

/** Re-pins a connection to the environment its token reaches now (the dashboard's button). */
export async function repinConnection(deps: ConnectionDeps, input: { id: string }) {
  const result = await testCredentials(deps, { credentials: await deps.credentials.get(input.id) });
  const environmentId = result.details.environment_id;
  if (!result.success || typeof environmentId !== "string")
    throw new AppError("CONFLICT", `Mux did not say which environment the token reaches: ${result.message}`);
  return updateConnection(deps, { id: input.id, patch: { environment_id: environmentId } });
}

/** Refused while syncs use the connection, unless `force` (then those syncs go too). */
export async function deleteConnection(
  deps: ConnectionDeps,
  input: { id: string; force?: boolean },
): Promise<void> {
  const { id } = input;
  await findConnection(deps, id);
  const syncIds = (await syncIdsByConnection(deps, [id])).get(id) ?? [];
  if (syncIds.length > 0 && !input.force) {
    throw new AppError(
      "CONFLICT",
      `Connection ${id} is used by ${syncIds.length} sync(s) (${syncIds.join(", ")}): delete them first, or pass ?force=true to delete them with it`,
      { details: { sync_ids: syncIds } },
    );
  }
  const { db } = deps.database;
  await deps.database.atomic([
    ...syncIds.flatMap((syncId) => deleteSyncStatements(deps, syncId)),
    db.delete(renditionRequests).where(eq(renditionRequests.connectionId, id)),
    db.delete(connections).where(eq(connections.id, id)),
  ]);
  deps.credentials.invalidate(id);
  deps.routing.invalidate();
  deps.logger.info("Connection deleted", { connection_id: id, syncs_deleted: syncIds.length });
}

/**
 * Which stored connection a command means: the one named, else the default one (from
 * MUX_TOKEN_ID), else the only one there is.
 */
export async function chooseConnection(
  deps: Pick<Deps, "database">,
  input: { id?: string },
): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const rows = await deps.database.db
    .select({ id: connections.id })
    .from(connections)
    .orderBy(asc(connections.createdAt))
    .all();
  const ids = rows.map((r) => r.id);
  if (input.id)
    return ids.includes(input.id)
      ? { ok: true, id: input.id }
      : { ok: false, message: `no connection ${input.id} (known: ${ids.join(", ") || "none"})` };
  if (ids.includes(DEFAULT_IDS.connection)) return { ok: true, id: DEFAULT_IDS.connection };
  if (ids.length === 1 && ids[0]) return { ok: true, id: ids[0] };
  if (ids.length === 0) {
    return {
      ok: false,
      message:
        "no connection is configured: set MUX_TOKEN_ID and MUX_TOKEN_SECRET, or create one with POST /v1/connections",
    };
  }
  return { ok: false, message: `several connections exist; name one: ${ids.join(", ")}` };
}
