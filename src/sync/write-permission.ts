/**
 * Whether a connection's token can write (create and delete static renditions), as the last
 * evidence said: a create Mux accepted or answered "already defined" (true), a create answered
 * 403 (false), or a `whoami` listing a write permission (true). Mux does not document its
 * permission strings (mux-facts §9.1), so a `whoami` never makes it false: only a 403 does, and
 * changing the token forgets it (null: unknown, the next create tells).
 */
import { eq, type SQL, sql } from "drizzle-orm";
import { connections } from "../db/schema";
import type { Deps } from "./deps";

export async function readWritePermission(
  deps: Pick<Deps, "database">,
  connectionId: string,
): Promise<boolean | null> {
  const row = await deps.database.db
    .select({ writePermission: connections.writePermission })
    .from(connections)
    .where(eq(connections.id, connectionId))
    .get();
  return row?.writePermission ?? null;
}

/** Records what a create (or a connection test) showed; `updated_at` is left alone (no credentials changed). */
export function writePermissionStatement(connectionId: string, canWrite: boolean | null): SQL {
  const value = canWrite === null ? null : canWrite ? 1 : 0;
  return sql`UPDATE connections SET write_permission = ${value} WHERE id = ${connectionId}`;
}

/**
 * What `whoami`'s permissions say about writing: true when one is a video write permission
 * (`video:write`, or any `…write`/`…admin` naming video), false when the list is given and holds
 * none, null when Mux lists nothing.
 */
export function writePermissionFromWhoami(permissions: readonly string[]): boolean | null {
  if (permissions.length === 0) return null;
  return permissions.some(
    (p) => /^video\b.*\b(write|admin|full)\b/i.test(p) || /^(write|admin|full)$/i.test(p),
  );
}
