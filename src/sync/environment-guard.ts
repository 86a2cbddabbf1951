/**
 * Mux scopes tokens, webhooks and assets per environment, and a token of another environment
 * still authenticates: it lists another library and gets 404 for this one. Before a pass, and
 * before a 404 is taken as a deletion, the token must still reach the environment its
 * connection is pinned to. When it does not, every sync of the connection is suspended
 * (`environment_changed`) and nothing is deleted; a person re-pins the connection on purpose.
 * While suspended so, the syncs' passes still come due and check again: once the token reaches
 * the pinned environment (the right token is back), they resume.
 */
import { and, eq, inArray } from "drizzle-orm";
import { syncs } from "../db/schema";
import type { MuxEnvironment } from "./connection-credentials";
import type { Deps } from "./deps";

export function describeEnvironment(environment: MuxEnvironment): string {
  return environment.name ? `"${environment.name}" (${environment.id})` : environment.id;
}

/** True when the token reaches the pinned environment (pinning it on first use); false after suspending. */
export async function requireEnvironment(
  deps: Pick<Deps, "database" | "credentials" | "clock" | "logger">,
  connectionId: string,
): Promise<boolean> {
  const check = await deps.credentials.confirmEnvironment(connectionId);
  if (check.ok) return true;
  const message =
    `The access token now belongs to Mux environment ${describeEnvironment(check.actual)}, not ` +
    `${describeEnvironment(check.pinned)} that this connection is pinned to; nothing was deleted. ` +
    `Fix the token, or re-pin the connection (PATCH /v1/connections/${connectionId} with ` +
    `{"environment_id": "${check.actual.id}"}) if the library really moved.`;
  await deps.database.db
    .update(syncs)
    .set({
      status: "suspended",
      suspension: "environment_changed",
      statusReason: message,
      updatedAt: deps.clock.now(),
    })
    .where(
      and(eq(syncs.connectionId, connectionId), inArray(syncs.status, ["active", "completed", "suspended"])),
    );
  deps.logger.error("Mux environment changed; syncs suspended", {
    connection_id: connectionId,
    pinned: check.pinned.id,
    actual: check.actual.id,
  });
  return false;
}

/**
 * The syncs of a connection suspended for an environment change, made active again (the token
 * reaches the pinned environment). Returns their ids: each needs a full pass, since what happened
 * meanwhile was not seen.
 */
export async function resumeEnvironmentSuspended(
  deps: Pick<Deps, "database" | "clock" | "logger">,
  connectionId: string,
): Promise<string[]> {
  const resumed = await deps.database.db
    .update(syncs)
    .set({ status: "active", suspension: null, statusReason: null, updatedAt: deps.clock.now() })
    .where(and(eq(syncs.connectionId, connectionId), eq(syncs.suspension, "environment_changed")))
    .returning({ id: syncs.id });
  if (resumed.length > 0)
    deps.logger.info("The token reaches the pinned Mux environment again; syncs resumed", {
      connection_id: connectionId,
      syncs: resumed.map((r) => r.id),
    });
  return resumed.map((r) => r.id);
}
