/**
 * Which sealed secrets the current key cannot open: connections (their Mux token, webhook and
 * signing secrets) and buckets (their pipeline secrets). Such a connection or bucket is out of
 * service, and everything else keeps working; start-up logs them, `/readyz` and the dashboard
 * report them, so a changed or lost ENCRYPTION_KEY is seen at once rather than as a stream of
 * failed jobs.
 */
import { asc } from "drizzle-orm";
import { buckets } from "../db/schema";
import type { Deps } from "../sync/deps";

export type Unopenable = { id: string; name: string };
export type UnopenableSecrets = { connections: Unopenable[]; buckets: Unopenable[] };

type SealedDeps = Pick<Deps, "database" | "box" | "credentials">;

export async function findUnopenableSecrets(deps: SealedDeps): Promise<UnopenableSecrets> {
  const rows = await deps.database.db
    .select({ id: buckets.id, name: buckets.name, sealed: buckets.pipelineSecret })
    .from(buckets)
    .orderBy(asc(buckets.createdAt))
    .all();
  const closed: Unopenable[] = [];
  for (const row of rows) {
    if (!row.sealed) continue;
    try {
      await deps.box.open(row.sealed);
    } catch {
      closed.push({ id: row.id, name: row.name });
    }
  }
  return { connections: await deps.credentials.unopenable(), buckets: closed };
}

/** Start-up: one error line naming what cannot be opened (nothing when all opens). */
export async function reportUnopenableSecrets(deps: SealedDeps & Pick<Deps, "logger">): Promise<void> {
  const found = await findUnopenableSecrets(deps);
  if (found.connections.length === 0 && found.buckets.length === 0) return;
  deps.logger.error(
    "Secrets sealed under another ENCRYPTION_KEY cannot be opened: these connections and buckets are out of service until their secrets are supplied again or re-sealed (mux-ingest rekey --from-key <old key>)",
    { connections: found.connections, buckets: found.buckets },
  );
}
