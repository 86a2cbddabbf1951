/**
 * The console's reads about where objects come from: every connection with its syncs (for the
 * connections page), and one sync with its connection, newest runs and its bucket's counts (for
 * the sync's page). Connections and syncs are configuration, a handful of rows; the runs are one
 * range of `runs_sync_idx` and the counts the trigger-kept `object_counts`, so neither page
 * counts or scans what grows.
 */
import { asc, eq } from "drizzle-orm";
import { buckets, syncs } from "../db/schema";
import type { Deps } from "../sync/deps";
import { getConnection, listConnections } from "./connections";
import { type ObjectCounts, objectCountsOf } from "./object-browser";
import { pageRuns, type RunPageView } from "./sync-runs";
import { findSync, type SyncRef, viewSync } from "./syncs";
import type { ConnectionView, SyncView } from "./views";

/** Runs the sync's page shows before linking to the runs page. */
export const SYNC_PAGE_RUNS = 5;

export type Health = { ok: boolean; text: string };

export type ConsoleSync = SyncView & { bucket_name: string; health: Health };

export type ConnectionsConsole = {
  connections: Array<ConnectionView & { health: Health; syncs: ConsoleSync[] }>;
};

export type SyncConsole = {
  sync: ConsoleSync;
  connection: ConnectionView;
  runs: RunPageView[];
  more_runs: boolean;
  /** The counts of the sync's bucket (every sync of the bucket together). */
  counts: ObjectCounts;
  /** Other syncs fill the same bucket, so its counts are theirs too. */
  bucket_shared: boolean;
};

const SUSPENSION_WORDS: Record<string, string> = {
  failing: "suspended: its passes kept failing",
  environment_changed: "suspended: the token reaches another Mux environment than the pinned one",
  deletion_guard: "suspended: the deletion guard held more deletions than it allows",
};

/** A sync's health in a few words: what is wrong first, the last run's outcome otherwise. */
export function syncHealth(sync: SyncView): Health {
  if (sync.status === "suspended")
    return { ok: false, text: SUSPENSION_WORDS[sync.suspension ?? ""] ?? "suspended" };
  if (sync.status === "paused") return { ok: false, text: "paused" };
  if (sync.last_run?.status === "failed") return { ok: false, text: "its last run failed" };
  if (!sync.last_run) return { ok: true, text: "no run yet" };
  return { ok: true, text: "healthy" };
}

/** A connection's health: its last test, its pinning, and whether one of its syncs is suspended for it. */
export function connectionHealth(connection: ConnectionView, mine: SyncView[]): Health {
  if (mine.some((s) => s.suspension === "environment_changed"))
    return { ok: false, text: "its token reaches another environment: re-pin it or fix the token" };
  if (connection.last_test && connection.last_test.success === false)
    return { ok: false, text: "its last test failed" };
  if (!connection.environment) return { ok: true, text: "not pinned yet (pinned on first use)" };
  return { ok: true, text: connection.last_test ? "healthy" : "healthy (never tested)" };
}

async function consoleSyncs(deps: Pick<Deps, "database">): Promise<ConsoleSync[]> {
  const { db } = deps.database;
  const names = new Map(
    (await db.select({ id: buckets.id, name: buckets.name }).from(buckets).all()).map((b) => [b.id, b.name]),
  );
  const rows = await db.select().from(syncs).orderBy(asc(syncs.createdAt)).all();
  return Promise.all(
    rows.map(async (row) => {
      const view = await viewSync(deps, row);
      return { ...view, bucket_name: names.get(row.bucketId) ?? "", health: syncHealth(view) };
    }),
  );
}

export async function readConnectionsConsole(deps: Pick<Deps, "database">): Promise<ConnectionsConsole> {
  const all = await consoleSyncs(deps);
  return {
    connections: (await listConnections(deps)).map((connection) => {
      const mine = all.filter((s) => s.connection_id === connection.id);
      return { ...connection, health: connectionHealth(connection, mine), syncs: mine };
    }),
  };
}

export async function readSyncConsole(deps: Pick<Deps, "database">, ref: SyncRef): Promise<SyncConsole> {
  const row = await findSync(deps, ref);
  const view = await viewSync(deps, row);
  const { db } = deps.database;
  const bucket = await db
    .select({ name: buckets.name })
    .from(buckets)
    .where(eq(buckets.id, ref.bucketId))
    .get();
  const siblings = await db
    .select({ id: syncs.id })
    .from(syncs)
    .where(eq(syncs.bucketId, ref.bucketId))
    .limit(2)
    .all();
  const runs = await pageRuns(deps, { ...ref, limit: SYNC_PAGE_RUNS });
  return {
    sync: { ...view, bucket_name: bucket?.name ?? "", health: syncHealth(view) },
    connection: await getConnection(deps, { id: row.connectionId }),
    runs: runs.data,
    more_runs: runs.has_more,
    counts: await objectCountsOf(deps, ref.bucketId),
    bucket_shared: siblings.length > 1,
  };
}
