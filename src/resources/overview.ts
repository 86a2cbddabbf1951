/**
 * Everything a person looks at first, in one read: connections and their last test, each sync
 * with its last run, objects by state and reason, recent failures, recent webhooks and the
 * queue. The dashboard and `mux-ingest status` both render it.
 */
import { asc, desc, gt, sql } from "drizzle-orm";
import { objectCounts } from "../db/bookkeeping";
import { buckets, objects, syncs, webhookEvents } from "../db/schema";
import type { QueueCounts } from "../queue/job-reads";
import type { Deps } from "../sync/deps";
import { listConnections } from "./connections";
import { isoTime, presentObject } from "./present";
import { findUnopenableSecrets, type UnopenableSecrets } from "./sealed-secrets";
import { viewSync } from "./syncs";
import type { ConnectionView, ObjectView, SyncView } from "./views";

export type BucketOverview = {
  id: string;
  name: string;
  pipeline_url: string | null;
  total: number;
  by_state: Record<string, number>;
  by_reason: Array<{ state: string; reason: string | null; count: number }>;
};

export type WebhookView = {
  id: string;
  type: string;
  asset_id: string | null;
  outcome: string;
  connection_id: string;
  received_at: string | null;
};

export type Overview = {
  generated_at: string | null;
  connections: ConnectionView[];
  syncs: Array<SyncView & { bucket_name: string }>;
  buckets: BucketOverview[];
  queue: QueueCounts;
  recent_failures: ObjectView[];
  recent_webhooks: WebhookView[];
  /** Connections and buckets whose secrets the current ENCRYPTION_KEY cannot open (out of service). */
  unopenable: UnopenableSecrets;
};

/**
 * What a count of waiting objects waits for, for a person: an MP4 the service asked Mux for
 * (`rendition_requested`), or Mux on its own (no reason); null for any other row.
 */
export function waitingNote(state: string, reason: string | null): string | null {
  if (state !== "waiting_for_asset" && state !== "waiting_for_rendition") return null;
  if (reason === "rendition_requested") return "an MP4 asked of Mux (create_renditions)";
  return reason === null ? "Mux, on its own" : null;
}

export async function readOverview(
  deps: Pick<Deps, "database" | "jobs" | "clock" | "box" | "credentials">,
  options: { failures?: number; webhooks?: number } = {},
): Promise<Overview> {
  const { db } = deps.database;
  const bucketRows = await db.select().from(buckets).orderBy(asc(buckets.createdAt)).all();
  const syncRows = await db.select().from(syncs).orderBy(asc(syncs.createdAt)).all();
  // The trigger-kept counts (migration 0009), never a count of the objects themselves.
  const counted = await db
    .select({
      bucketId: objectCounts.bucketId,
      state: objectCounts.state,
      reason: objectCounts.reason,
      n: objectCounts.n,
    })
    .from(objectCounts)
    .where(gt(objectCounts.n, 0))
    .all();
  const counts = counted.map((c) => ({ ...c, reason: c.reason === "" ? null : c.reason }));
  // Spelled as a literal so the partial index `objects_failed_idx` (WHERE state = 'failed') applies.
  const failures = await db
    .select()
    .from(objects)
    .where(sql`${objects.state} = 'failed'`)
    .orderBy(desc(objects.stateChangedAt))
    .limit(options.failures ?? 20)
    .all();
  const webhooks = await db
    .select()
    .from(webhookEvents)
    .orderBy(desc(webhookEvents.receivedAt))
    .limit(options.webhooks ?? 15)
    .all();
  const bucketName = new Map(bucketRows.map((b) => [b.id, b.name]));
  return {
    generated_at: isoTime(deps.clock.now()),
    connections: await listConnections(deps),
    syncs: await Promise.all(
      syncRows.map(async (row) => ({
        ...(await viewSync(deps, row)),
        bucket_name: bucketName.get(row.bucketId) ?? "",
      })),
    ),
    buckets: bucketRows.map((bucket) => {
      const mine = counts.filter((c) => c.bucketId === bucket.id);
      const byState: Record<string, number> = {};
      for (const c of mine) byState[c.state] = (byState[c.state] ?? 0) + c.n;
      return {
        id: bucket.id,
        name: bucket.name,
        pipeline_url: bucket.pipelineUrl,
        total: mine.reduce((sum, c) => sum + c.n, 0),
        by_state: byState,
        by_reason: mine
          .map((c) => ({ state: c.state, reason: c.reason, count: c.n }))
          .sort((a, b) => a.state.localeCompare(b.state) || String(a.reason).localeCompare(String(b.reason))),
      };
    }),
    queue: await deps.jobs.counts(),
    recent_failures: failures.map(presentObject),
    recent_webhooks: webhooks.map((w) => ({
      id: w.id,
      type: w.type,
      asset_id: w.assetId,
      outcome: w.outcome,
      connection_id: w.connectionId,
      received_at: isoTime(w.receivedAt),
    })),
    unopenable: await findUnopenableSecrets(deps),
  };
}
