/**
 * With `MUX_TOKEN_ID` set, the environment describes one default connection, bucket and sync.
 * They are created on first start and brought up to date on every later start (idempotent),
 * so a twelve-factor deployment never needs the admin API.
 *
 * `PIPELINE_SECRET` seeds bucket secrets: the default bucket's (kept equal to it, as the
 * connection is kept equal to the MUX_ variables), and that of any bucket without one (buckets
 * from before per-bucket secrets, whose pipelines verified PIPELINE_SECRET all along).
 */
import { asc, eq, sql } from "drizzle-orm";
import { buckets, connections, type SyncMode, syncs } from "../db/schema";
import { AppError } from "../lib/errors";
import type { SecretBox } from "../lib/secret-box";
import type { StaticRenditionResolution } from "../mux/rendition-names";
import type { Deps } from "../sync/deps";
import { sealPipelineSecret } from "../sync/pipeline-secrets";
import { sealConnectionSecrets } from "../sync/seal-secrets";
import type { WaitForKind } from "../sync/settings";
import { REMOVAL_NEEDS_STORAGE } from "./syncs";

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
  createRenditions: StaticRenditionResolution[];
  removeCreatedRenditions: boolean;
  waitFor: WaitForKind[];
  waitForGraceSeconds: number;
};

export type BootstrapResult = { created: boolean; syncId: string } | null;

type BootstrapDeps = Pick<Deps, "database" | "box" | "clock" | "pipeline" | "logger" | "storage">;

export async function bootstrapDefaults(
  deps: BootstrapDeps,
  spec: DefaultSyncSpec | null,
): Promise<BootstrapResult> {
  const result = spec ? await upsertDefaults(deps, spec) : null;
  await seedPipelineSecrets(deps);
  return result;
}

async function upsertDefaults(deps: BootstrapDeps, spec: DefaultSyncSpec): Promise<BootstrapResult> {
  if (spec.removeCreatedRenditions && deps.storage === null) {
    // Stated like a ConfigError's line: start-up stops with it, naming the variable.
    throw new AppError(
      "CONFIG",
      `Invalid configuration:\n  REMOVE_CREATED_RENDITIONS ${REMOVAL_NEEDS_STORAGE}`,
    );
  }
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
    createRenditions: spec.createRenditions,
    removeCreatedRenditions: spec.removeCreatedRenditions,
    waitFor: spec.waitFor,
    waitForGraceSeconds: spec.waitForGraceSeconds,
    origin: "env",
    updatedAt: now,
  };

  await deps.database.atomic([
    db
      .insert(connections)
      .values({ id: DEFAULT_IDS.connection, createdAt: now, ...connection })
      .onConflictDoUpdate({
        target: connections.id,
        set: {
          ...connection,
          // Another token: what a create answered to the old one (a 403) says nothing about it.
          writePermission: sql`CASE WHEN ${connections.accessTokenId} = excluded.access_token_id THEN ${connections.writePermission} ELSE NULL END`,
        },
      }),
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

/**
 * Seals PIPELINE_SECRET into the default bucket when its secret differs (or cannot be opened),
 * and into every bucket that has none, in one batch. Without PIPELINE_SECRET nothing is seeded,
 * and such buckets' deliveries fail saying they need a secret (never sent unsigned).
 */
async function seedPipelineSecrets(deps: BootstrapDeps): Promise<void> {
  const secret = deps.pipeline.secret;
  const { db } = deps.database;
  const rows = await db
    .select({ id: buckets.id, pipelineSecret: buckets.pipelineSecret })
    .from(buckets)
    .orderBy(asc(buckets.id))
    .all();
  const seeded: string[] = [];
  for (const row of rows) {
    if (!row.pipelineSecret) seeded.push(row.id);
    else if (
      secret &&
      row.id === DEFAULT_IDS.bucket &&
      (await openOrNull(deps.box, row.pipelineSecret)) !== secret
    )
      seeded.push(row.id);
  }
  if (seeded.length === 0) return;
  if (!secret) {
    deps.logger.warn(
      "Buckets without a pipeline secret will not deliver until they get one (PIPELINE_SECRET is not set)",
      {
        bucket_ids: seeded,
      },
    );
    return;
  }
  const columns = { ...(await sealPipelineSecret(deps.box, secret)), updatedAt: deps.clock.now() };
  await deps.database.atomic(seeded.map((id) => db.update(buckets).set(columns).where(eq(buckets.id, id))));
  deps.logger.info("Sealed PIPELINE_SECRET into buckets", { bucket_ids: seeded });
}

async function openOrNull(box: SecretBox, envelope: string): Promise<string | null> {
  try {
    return await box.open(envelope);
  } catch {
    return null;
  }
}
