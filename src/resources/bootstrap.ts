/**
 * With `MUX_TOKEN_ID` set, the environment describes one default connection, bucket and sync.
 * They are created on first start and brought up to date on every later start (idempotent),
 * so a twelve-factor deployment never needs the admin API.
 */
import { eq, sql } from "drizzle-orm";
import type { Config } from "../config/env";
import type { Database } from "../db/client";
import { buckets, connections, syncs } from "../db/schema";
import type { Clock } from "../lib/clock";
import type { SecretBox } from "../lib/secret-box";
import { sealConnectionSecrets } from "../sync/seal-secrets";

export const DEFAULT_IDS = { connection: "con_default", bucket: "bkt_default", sync: "syn_default" } as const;

export type BootstrapResult = { created: boolean; syncId: string } | null;

export async function bootstrapFromEnv(
  deps: { database: Database; box: SecretBox; clock: Clock },
  config: Config,
): Promise<BootstrapResult> {
  const { tokenId, tokenSecret } = config.mux;
  if (!tokenId || !tokenSecret) return null;
  const { db } = deps.database;
  const now = deps.clock.now();
  const existing = await db.select({ id: syncs.id }).from(syncs).where(eq(syncs.id, DEFAULT_IDS.sync)).get();
  const sealed = await sealConnectionSecrets(deps.box, {
    accessTokenSecret: tokenSecret,
    webhookSecrets: config.mux.webhookSecrets,
    signingPrivateKey: config.mux.privateKey,
  });

  const connection = {
    name: "Default (from environment)",
    accessTokenId: tokenId,
    ...sealed,
    signingKeyId: config.mux.signingKeyId ?? null,
    origin: "env",
    updatedAt: now,
  };
  const bucket = { name: "default", pipelineUrl: config.pipeline.url ?? null, origin: "env", updatedAt: now };
  const sync = {
    bucketId: DEFAULT_IDS.bucket,
    connectionId: DEFAULT_IDS.connection,
    sourcePath: config.sync.sourcePath,
    syncMode: config.sync.syncMode,
    pollingIntervalSeconds: config.sync.pollingIntervalSeconds,
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
