/**
 * "Does Mux accept these credentials?", answered the way a person needs it: which environment
 * they reach, or why not (wrong id/secret, a missing permission, Mux unreachable). It asks who the
 * token is, then lists one asset, because the service needs Mux Video Read and only a video call
 * proves it. The test never retries: a person is waiting for the answer.
 */
import { eq } from "drizzle-orm";
import { connections } from "../db/schema";
import { AppError, describeError } from "../lib/errors";
import type { MuxCredentials } from "../mux/client";
import type { Deps } from "../sync/deps";
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
    return {
      success: true,
      message: `Mux accepted the credentials: ${where}; the token can read video assets${writeClause(me.permissions)}.`,
      details: {
        environment_id: me.environmentId,
        environment_name: me.environmentName,
        permissions: me.permissions,
        base_url: baseUrl,
      },
    };
  } catch (err) {
    return { success: false, ...explainFailure(err, baseUrl) };
  }
}

/**
 * What whoami's permissions say about writing (creating static renditions), when they say
 * anything: Mux does not document the strings, so only a listed `video:write` is taken as a
 * yes, and a 403 on the write stays the ground truth.
 */
function writeClause(permissions: string[]): string {
  if (permissions.length === 0) return "";
  return permissions.includes("video:write")
    ? " and, by its listed permissions, write them (create renditions)"
    : "; its listed permissions include no video write, so creating renditions would be refused";
}

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
  deps: Pick<Deps, "database" | "clock" | "logger" | "credentials">,
  input: { id: string },
): Promise<ConnectionTestResult> {
  const connectionId = input.id;
  const credentials = await deps.credentials.get(connectionId);
  const result = await testCredentials(deps, { credentials });
  await deps.database.db
    .update(connections)
    .set({
      lastTestAt: deps.clock.now(),
      lastTestSuccess: result.success,
      lastTestMessage: result.message,
    })
    .where(eq(connections.id, connectionId));
  deps.logger.info("Connection tested", {
    connection_id: connectionId,
    success: result.success,
    reason: result.details.reason ?? null,
  });
  return result;
}
