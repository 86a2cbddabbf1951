/**
 * With `MUX_TOKEN_ID` set, the environment describes one default connection, bucket and sync.
 * They are created on first start and brought up to date on every later start (idempotent),
 * so a twelve-factor deployment never needs the admin API.
 */
import { eq, sql } from "drizzle-orm";
import { buckets, connections, type SyncMode, syncs } from "../db/schema";
import type { Deps } from "../sync/deps";
import { sealConnectionSecrets } from "../sync/seal-secrets";

export const DEFAULT_IDS = { connection: "con_default", bucket: "bkt_default", sync: "syn_default" } as const;

/** The default connection, bucket and sync, as the environment describes them. */
export type DefaultSyncSpec = {
  tokenId: string;
  tokenSecret: string;
  webhookSecrets: string[];
  signingKeyId: string | null;
  privateKey: string | null;
  pipelineUrl: string | null;
  sourcePath: string;
  syncMode: SyncMode;
  pollingIntervalSeconds: number;
};

export type BootstrapResult = { created: boolean; syncId: string } | null;

export async function bootstrapDefaults(
  deps: Pick<Deps, "database" | "box" | "clock">,
  spec: DefaultSyncSpec | null,
): Promise<BootstrapResult> {
  if (!spec) return null;
  const { db } = deps.database;
  const now = deps.clock.now();
  const existing = await db.select({ id: syncs.id }).from(syncs).where(eq(syncs.id, DEFAULT_IDS.sync)).get();
  const sealed = await sealConnectionSecrets(deps.box, {
    accessTokenSecret: spec.tokenSecret,
    webhookSecrets: spec.webhookSecrets,
    signingPrivateKey: spec.privateKey,
  });

  const connection = {
    name: "Default (from environment)",
    accessTokenId: spec.tokenId,
    ...sealed,
    signingKeyId: spec.signingKeyId,
    origin: "env",
    updatedAt: now,
  };
  const bucket = { name: "default", pipelineUrl: spec.pipelineUrl, origin: "env", updatedAt: now };
  const sync = {
    bucketId: DEFAULT_IDS.bucket,
    connectionId: DEFAULT_IDS.connection,
    sourcePath: spec.sourcePath,
    syncMode: spec.syncMode,
    pollingIntervalSeconds: spec.pollingIntervalSeconds,
    origin: "env",
    updatedAt: now,
  };

  await deps.database.atomic([
    db
      .insert(connections)
      .values({ id: DEFAULT_IDS.connection, createdAt: now, ...connection })
      .onConflictDoUpdate({ target: connections.id, set: connection }),
    db
      .insert(buckets)
      .values({ id: DEFAULT_IDS.bucket, createdAt: now, ...bucket })
      .onConflictDoUpdate({ target: buckets.id, set: bucket }),
    db
      .insert(syncs)
      .values({ id: DEFAULT_IDS.sync, createdAt: now, nextRunAt: now, status: "active", ...sync })
      .onConflictDoUpdate({
        target: syncs.id,
        set: {
          ...sync,
          // Switching a finished initial_only sync to continuous puts it back to work.
          status: sql`CASE WHEN excluded.sync_mode = 'continuous' AND ${syncs.status} = 'completed' THEN 'active' ELSE ${syncs.status} END`,
        },
      }),
  ]);
  return { created: !existing, syncId: DEFAULT_IDS.sync };
}
