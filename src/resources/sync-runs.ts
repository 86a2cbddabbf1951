/**
 * A sync's runs for the console, newest first, a page at a time. Each page is one range of
 * `runs_sync_idx` (sync_id, started_at; SQLite appends the rowid to every index entry), walked
 * backwards from the cursor's (started_at, rowid), so paging costs the same however many runs
 * the sync kept.
 */
import { and, eq, sql } from "drizzle-orm";
import { runs } from "../db/schema";
import type { Deps } from "../sync/deps";
import { decodePageCursor, encodePageCursor } from "./page-cursor";
import { presentRun } from "./present";
import { findSync, type SyncRef } from "./syncs";
import type { RunView } from "./views";

const CURSOR_TAG = "runs";

export type RunPageView = RunView & {
  /** From start to finish, or null while the run has not finished. */
  duration_ms: number | null;
};

export type RunPage = { data: RunPageView[]; next_cursor: string | null; has_more: boolean };

export async function pageRuns(
  deps: Pick<Deps, "database">,
  input: SyncRef & { cursor?: string; limit: number },
): Promise<RunPage> {
  await findSync(deps, input);
  const after = input.cursor
    ? decodePageCursor(input.cursor, CURSOR_TAG, ["number", "number"] as const)
    : null;
  const rows = await deps.database.db
    .select({ run: runs, position: sql<number>`${runs}.rowid` })
    .from(runs)
    .where(
      and(
        eq(runs.syncId, input.syncId),
        after ? sql`(${runs.startedAt}, ${runs}.rowid) < (${after[0]}, ${after[1]})` : undefined,
      ),
    )
    .orderBy(sql`${runs.startedAt} DESC, ${runs}.rowid DESC`)
    .limit(input.limit + 1)
    .all();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const more = rows.length > input.limit && last !== undefined;
  return {
    data: page.map(({ run }) => ({
      ...presentRun(run),
      duration_ms: run.finishedAt === null ? null : Math.max(0, run.finishedAt - run.startedAt),
    })),
    next_cursor: more ? encodePageCursor([CURSOR_TAG, last.run.startedAt, last.position]) : null,
    has_more: more,
  };
}
