/**
 * "Does Mux accept these credentials?", answered the way a person needs it: which environment
 * they reach, or why not (wrong id/secret, a missing permission, Mux unreachable). It asks who the
 * token is, then lists one asset, because the service needs Mux Video Read and only a video call
 * proves it. It also says whether the token can write (`create_renditions` needs Mux Video Write):
 * from `whoami`'s permissions where Mux lists one, else from what a create answered before (a 403
 * is the ground truth). The test never retries: a person is waiting for the answer.
 */
import { and, eq, inArray } from "drizzle-orm";
import { connections, syncs } from "../db/schema";
import { schedulePass } from "../jobs/reconcile";
import { AppError, describeError } from "../lib/errors";
import type { MuxCredentials } from "../mux/client";
import type { Deps } from "../sync/deps";
import {
  readWritePermission,
  writePermissionFromWhoami,
  writePermissionStatement,
} from "../sync/write-permission";
import type { ConnectionTestResult } from "./views";

const TEST_TIMEOUT_MS = 15_000;

export async function testCredentials(
  deps: Pick<Deps, "credentials">,
  input: { credentials: MuxCredentials },
): Promise<ConnectionTestResult> {
  const baseUrl = deps.credentials.baseUrl;
  const api = deps.credentials.apiFor(input.credentials, { maxRetries: 0, timeoutMs: TEST_TIMEOUT_MS });
  try {
    const me = await api.whoami();
    await api.listAssets({ limit: 1 });
    const where = me.environmentName
      ? `environment "${me.environmentName}"${me.environmentId ? ` (${me.environmentId})` : ""}`
      : "its environment";
    const canWrite = writePermissionFromWhoami(me.permissions);
    return {
      success: true,
      message: `Mux accepted the credentials: ${where}; the token can read video assets${WRITE_VERDICT[String(canWrite) as keyof typeof WRITE_VERDICT]}.`,
      details: {
        environment_id: me.environmentId,
        environment_name: me.environmentName,
        permissions: me.permissions,
        can_write: canWrite,
        base_url: baseUrl,
      },
    };
  } catch (err) {
    return { success: false, ...explainFailure(err, baseUrl) };
  }
}

/** What the test says of writing, after "the token can read video assets". */
const WRITE_VERDICT = {
  true: " and write them (MP4s can be made on demand: create_renditions)",
  false:
    ", but whoami lists no write permission: create_renditions needs a token with Mux Video Read and Write",
  null: " (whoami lists no permissions: whether it can write is known once an MP4 is asked for)",
} as const;

const READ_ONLY_BY_403 =
  " Mux answered 403 to an MP4 asked for over this connection: the token is read-only (create_renditions needs Mux Video Read and Write).";

function explainFailure(
  err: unknown,
  baseUrl: string,
): { message: string; details: Record<string, unknown> } {
  if (err instanceof AppError) {
    const status = (err.details as { status?: number } | undefined)?.status ?? null;
    if (err.code === "UPSTREAM" && status === null) {
      const cause = err.cause instanceof Error ? describeError(err.cause.cause ?? err.cause) : err.message;
      return {
        message: `Could not reach Mux at ${baseUrl} (network failure: ${cause}). Check MUX_BASE_URL, DNS and outbound connectivity.`,
        details: { reason: "network", base_url: baseUrl },
      };
    }
    const reason =
      status === 401
        ? "unauthorized"
        : status === 403
          ? "forbidden"
          : err.code === "RATE_LIMITED"
            ? "rate_limited"
            : "upstream";
    return { message: err.message, details: { reason, status, base_url: baseUrl } };
  }
  return {
    message: `Unexpected failure while testing: ${describeError(err)}`,
    details: { reason: "internal" },
  };
}

/** Tests a stored connection and records the outcome on it (shown by the API and the dashboard). */
export async function testConnection(
  deps: Pick<Deps, "database" | "clock" | "logger" | "credentials" | "jobs" | "doorbell">,
  input: { id: string },
): Promise<ConnectionTestResult> {
  const connectionId = input.id;
  const credentials = await deps.credentials.get(connectionId);
  const tested = await testCredentials(deps, { credentials });
  const remembered = await readWritePermission(deps, connectionId);
  const result = withRememberedWrite(tested, remembered);
  const gained = tested.details.can_write === true;
  await deps.database.atomic([
    deps.database.db
      .update(connections)
      .set({
        lastTestAt: deps.clock.now(),
        lastTestSuccess: result.success,
        lastTestMessage: result.message,
      })
      .where(eq(connections.id, connectionId))
      .getSQL(),
    ...(gained ? [writePermissionStatement(connectionId, true)] : []),
  ]);
  if (gained && remembered === false) await rejudgeReadOnlySkips(deps, connectionId);
  deps.logger.info("Connection tested", {
    connection_id: connectionId,
    success: result.success,
    reason: result.details.reason ?? null,
  });
  return result;
}

/** Where whoami says nothing of writing, what a create answered before does (a 403: read-only). */
function withRememberedWrite(result: ConnectionTestResult, remembered: boolean | null): ConnectionTestResult {
  if (!result.success || result.details.can_write !== null) return result;
  if (remembered === null) return result;
  return {
    ...result,
    message: remembered ? result.message : `${result.message}${READ_ONLY_BY_403}`,
    details: { ...result.details, can_write: remembered },
  };
}

/**
 * The token may write now (a test says so, or new credentials): the objects skipped
 * `no_write_permission` over this connection are judged again, by a full pass of each running
 * sync that asks for renditions (a full pass re-evaluates skipped objects).
 */
export async function rejudgeReadOnlySkips(
  deps: Pick<Deps, "database" | "jobs" | "clock" | "doorbell" | "logger">,
  connectionId: string,
): Promise<void> {
  const rows = await deps.database.db
    .select({ id: syncs.id, createRenditions: syncs.createRenditions })
    .from(syncs)
    .where(and(eq(syncs.connectionId, connectionId), inArray(syncs.status, ["active", "completed"])))
    .all();
  const asking = rows.filter((row) => row.createRenditions.length > 0);
  for (const sync of asking) await schedulePass(deps, sync.id, "full");
  if (asking.length > 0)
    deps.logger.info("The token may write now: objects skipped for a read-only token are judged again", {
      connection_id: connectionId,
      syncs: asking.length,
    });
}
