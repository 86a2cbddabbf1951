/**
 * Retention: the history tables are pruned once their rows are older than `RETENTION_DAYS`, so
 * the database stops growing once retention is reached (SQLite reuses the freed pages). Objects
 * are never pruned (they are the bucket), nor anything the service still acts on:
 * - `webhook_events` older than retention (the dedupe key outlives Mux's retries, about a day);
 * - `deliveries` older than retention that are settled (delivered, superseded, failed) and not
 *   their object's newest (the newest is what the delivery job and the transition rule read); the
 *   newest keeps its row but loses its payload (the body sent, which nothing reads back);
 * - `object_history` older than retention beyond each object's last `HISTORY_KEPT_PER_OBJECT`;
 * - finished `runs` older than retention beyond each sync's last `RUNS_KEPT_PER_SYNC`;
 * - `activity_buckets` older than `ACTIVITY_KEEP_MS` (a few days, whatever `RETENTION_DAYS` says:
 *   the activity page shows one), the oldest first along its key.
 *
 * Each batch is one short statement over at most `batchRows` rows picked through an index; the
 * caller gives each call a budget of statements and time, and the event loop gets a turn between
 * batches. Deliveries and history keep rows among the old ones, so those two are walked newest
 * first from the cutoff down with a cursor: a batch reads the next `batchRows` rows of the walk
 * whatever it keeps, so kept rows never make a batch longer. A walk that reached the oldest row
 * rests for `WALK_REST_MS`, then starts again from the (newer) cutoff. Where the walks stand is
 * read at the start of each call and written at its end (`retention_state`, one row), so a Worker
 * isolate, which may be new at every cron invocation, carries on where the last one stopped.
 */
import { type SQL, sql } from "drizzle-orm";
import { ACTIVITY_KEEP_MS } from "../db/activity";
import { realSleep } from "../lib/token-bucket";
import type { Deps } from "./deps";

export const DEFAULT_RETENTION_DAYS = 30;
/** Mux retries a webhook for about a day: its dedupe key must outlive that. */
export const MIN_RETENTION_DAYS = 2;
export const MAX_RETENTION_DAYS = 3650;
/** The newest history rows of an object are kept whatever their age: its story stays readable. */
export const HISTORY_KEPT_PER_OBJECT = 20;
/** The newest runs of a sync are kept whatever their age: its recent passes stay visible. */
export const RUNS_KEPT_PER_SYNC = 100;
/** Rows one batch touches at most: a delete of this many rows is a write of a few milliseconds. */
export const RETENTION_BATCH_ROWS = 250;
/** How long a walk that reached the oldest row waits before it starts again from the cutoff. */
export const WALK_REST_MS = 10 * 60_000;

export const DAY_MS = 24 * 3600_000;
/** Retention's share of a Workers cron invocation: a few dozen of D1's 1,000 statements. */
export const CRON_RETENTION_BUDGET: RetentionBudget = { statements: 40, ms: 5_000 };

export type RetentionDeps = Pick<Deps, "database" | "clock" | "retention">;

/** What one call may spend: statements (D1 counts them per invocation) and milliseconds. */
export type RetentionBudget = { statements: number; ms: number };

export type PrunedRows = {
  webhookEvents: number;
  deliveries: number;
  /** Kept deliveries whose payload was dropped. */
  deliveryPayloads: number;
  objectHistory: number;
  runs: number;
  activityBuckets: number;
};

export type RetentionPass = {
  pruned: PrunedRows;
  statements: number;
  /** Nothing was left for now: every table is within retention (as far as the walks have seen). */
  finished: boolean;
};

/** A position in a walk: rows strictly before (time, rowid) are still to be read. */
type Cursor = { at: number; id: number };
type WalkState = { cursor: Cursor | null; restUntil: number };

/** What carries over from one call to the next (the row of `retention_state`). */
type Progress = {
  walks: Record<string, WalkState>;
  /** The sync whose runs were pruned last: the next call carries on after it. */
  runsAfter: string;
  /** Which task goes first: each call starts one further, so a small budget starves none. */
  turn: number;
  /** The tasks that have not yet reported "nothing left" since the last call that finished. */
  unfinished: number[];
};

const FRESH: Progress = { walks: {}, runsAfter: "", turn: 0, unfinished: [] };

/** A table walked newest first below the cutoff: its time column and what a batch does to its rows. */
type Walk = {
  table: string;
  time: string;
  prune: (range: SQL) => Array<{ counts: keyof PrunedRows; statement: SQL }>;
};

const SETTLED = sql.raw(`('delivered', 'superseded', 'failed')`);

const DELIVERIES: Walk = {
  table: "deliveries",
  time: "created_at",
  prune: (range) => [
    {
      counts: "deliveries",
      statement: sql`DELETE FROM deliveries WHERE ${range} AND status IN ${SETTLED}
        AND EXISTS (SELECT 1 FROM deliveries AS newer WHERE newer.object_id = deliveries.object_id
                                                      AND newer.object_version > deliveries.object_version)`,
    },
    {
      counts: "deliveryPayloads",
      statement: sql`UPDATE deliveries SET payload = NULL
        WHERE ${range} AND status IN ${SETTLED} AND payload IS NOT NULL`,
    },
  ],
};

const HISTORY: Walk = {
  table: "object_history",
  time: "at",
  prune: (range) => [
    {
      counts: "objectHistory",
      // Older than the object's K-th newest row (no such row: fewer than K, all kept).
      statement: sql`DELETE FROM object_history WHERE ${range}
        AND id < (SELECT kept.id FROM object_history AS kept WHERE kept.object_id = object_history.object_id
                  ORDER BY kept.id DESC LIMIT 1 OFFSET ${HISTORY_KEPT_PER_OBJECT - 1})`,
    },
  ],
};

export class Retention {
  constructor(
    private readonly deps: RetentionDeps,
    private readonly batchRows = RETENTION_BATCH_ROWS,
  ) {}

  /** Prunes what the budget allows, each task in turn; call it again while `finished` is false. */
  async prune(budget: RetentionBudget): Promise<RetentionPass> {
    // One statement of the budget is kept for writing the progress back at the end.
    const spend = new Spending(this.deps, { ...budget, statements: budget.statements - 1 });
    const progress = await readProgress(spend);
    const pruned: PrunedRows = {
      webhookEvents: 0,
      deliveries: 0,
      deliveryPayloads: 0,
      objectHistory: 0,
      runs: 0,
      activityBuckets: 0,
    };
    const cutoff = this.deps.clock.now() - this.deps.retention.retentionMs;
    const tasks: Array<() => Promise<boolean>> = [
      () => this.pruneEvents(spend, cutoff, pruned),
      () => this.walk(DELIVERIES, progress, spend, cutoff, pruned),
      () => this.walk(HISTORY, progress, spend, cutoff, pruned),
      () => this.pruneRuns(progress, spend, cutoff, pruned),
      () => this.pruneActivity(spend, this.deps.clock.now() - ACTIVITY_KEEP_MS, pruned),
    ];
    const unfinished = new Set(progress.unfinished.length === 0 ? tasks.keys() : progress.unfinished);
    const first = progress.turn++ % tasks.length;
    for (let i = 0; i < tasks.length && spend.left(); i++) {
      const task = (first + i) % tasks.length;
      if (await tasks[task]?.()) unfinished.add(task);
      else unfinished.delete(task);
    }
    progress.unfinished = [...unfinished];
    await spend.write(progressWrite(progress));
    return { pruned, statements: spend.statements, finished: unfinished.size === 0 };
  }

  /** Webhook events by age alone: each batch the oldest `batchRows`. True if some may be left. */
  private async pruneEvents(spend: Spending, cutoff: number, pruned: PrunedRows): Promise<boolean> {
    while (spend.left()) {
      const n = await spend.count(sql`DELETE FROM webhook_events WHERE rowid IN (
        SELECT rowid FROM webhook_events WHERE received_at < ${cutoff} ORDER BY received_at LIMIT ${this.batchRows})`);
      pruned.webhookEvents += n;
      if (n < this.batchRows) return false;
      await yieldToEventLoop();
    }
    return true;
  }

  /** Activity buckets by age alone, along their key (time first). True if some may be left. */
  private async pruneActivity(spend: Spending, cutoff: number, pruned: PrunedRows): Promise<boolean> {
    while (spend.left()) {
      const n = await spend.count(sql`DELETE FROM activity_buckets WHERE (bucket_start, series) IN (
        SELECT bucket_start, series FROM activity_buckets WHERE bucket_start < ${cutoff}
         ORDER BY bucket_start LIMIT ${this.batchRows})`);
      pruned.activityBuckets += n;
      if (n < this.batchRows) return false;
      await yieldToEventLoop();
    }
    return true;
  }

  /**
   * Each sync's finished runs older than retention beyond its newest `RUNS_KEPT_PER_SYNC`, one
   * sync after the other (by id, from where the last call stopped). True if some may be left.
   */
  private async pruneRuns(
    progress: Progress,
    spend: Spending,
    cutoff: number,
    pruned: PrunedRows,
  ): Promise<boolean> {
    while (spend.left(2)) {
      const [sync] = await spend.rows<{ id: string }>(
        sql`SELECT id FROM syncs WHERE id > ${progress.runsAfter} ORDER BY id LIMIT 1`,
      );
      if (!sync) {
        progress.runsAfter = "";
        return false;
      }
      let n = this.batchRows;
      while (n === this.batchRows && spend.left()) {
        n = await spend.count(runsBatch(sync.id, cutoff, this.batchRows));
        pruned.runs += n;
        await yieldToEventLoop();
      }
      if (n === this.batchRows) return true;
      progress.runsAfter = sync.id;
    }
    return true;
  }

  /** Walks `walk` below the cutoff, newest first, one window of `batchRows` rows per batch. */
  private async walk(
    walk: Walk,
    progress: Progress,
    spend: Spending,
    cutoff: number,
    pruned: PrunedRows,
  ): Promise<boolean> {
    const state = progress.walks[walk.table] ?? { cursor: null, restUntil: 0 };
    progress.walks[walk.table] = state;
    const now = this.deps.clock.now();
    if (state.cursor === null && now < state.restUntil) return false;
    // Rowids start at 1: (cutoff, 0) is "older than the cutoff".
    state.cursor ??= { at: cutoff, id: 0 };
    const time = sql.raw(walk.time);
    const table = sql.raw(walk.table);
    const key = sql`(${time}, rowid)`;
    while (spend.left(1 + walk.prune(sql``).length)) {
      const from: Cursor = state.cursor;
      const [end] = await spend.rows<Cursor>(sql`
        SELECT ${time} AS at, rowid AS id FROM ${table} WHERE ${key} < (${from.at}, ${from.id})
         ORDER BY ${time} DESC, rowid DESC LIMIT 1 OFFSET ${this.batchRows - 1}`);
      const range = end
        ? sql`${key} < (${from.at}, ${from.id}) AND ${key} >= (${end.at}, ${end.id})`
        : sql`${key} < (${from.at}, ${from.id})`;
      for (const { counts, statement } of walk.prune(range)) pruned[counts] += await spend.count(statement);
      if (!end) {
        // The oldest row was read: rest, then start again from the cutoff of that time.
        state.cursor = null;
        state.restUntil = now + WALK_REST_MS;
        return false;
      }
      state.cursor = { at: end.at, id: end.id };
      await yieldToEventLoop();
    }
    return true;
  }
}

/** The progress the last call wrote, or a fresh start (none yet, or unreadable). */
async function readProgress(spend: Spending): Promise<Progress> {
  const [row] = await spend.rows<{ state: string }>(sql`SELECT state FROM retention_state WHERE id = 1`);
  if (!row) return structuredClone(FRESH);
  try {
    return { ...structuredClone(FRESH), ...(JSON.parse(row.state) as Partial<Progress>) };
  } catch {
    return structuredClone(FRESH);
  }
}

function progressWrite(progress: Progress): SQL {
  return sql`INSERT INTO retention_state (id, state) VALUES (1, ${JSON.stringify(progress)})
             ON CONFLICT (id) DO UPDATE SET state = excluded.state`;
}

/** One batch of a sync's runs: settled, older than the cutoff and than its N-th newest run. */
export function runsBatch(syncId: string, cutoff: number, limit: number): SQL {
  return sql`DELETE FROM runs WHERE rowid IN (
    SELECT rowid FROM runs
     WHERE sync_id = ${syncId} AND status IN ('succeeded', 'failed') AND started_at < ${cutoff}
       AND started_at < (SELECT started_at FROM runs WHERE sync_id = ${syncId}
                          ORDER BY started_at DESC LIMIT 1 OFFSET ${RUNS_KEPT_PER_SYNC - 1})
     ORDER BY started_at LIMIT ${limit})`;
}

/** The statements and time a call has spent; every statement goes through here. */
class Spending {
  statements = 0;
  private readonly started: number;

  constructor(
    private readonly deps: RetentionDeps,
    private readonly budget: RetentionBudget,
  ) {
    this.started = this.elapsed();
  }

  /** Whether `statements` more fit in the budget (and time is left). */
  left(statements = 1): boolean {
    return (
      this.statements + statements <= this.budget.statements && this.elapsed() - this.started < this.budget.ms
    );
  }

  async rows<T>(statement: SQL): Promise<T[]> {
    this.statements++;
    return this.deps.database.db.all<T>(statement);
  }

  /** A write whose rows need no counting (its budget was set aside). */
  async write(statement: SQL): Promise<void> {
    this.statements++;
    await this.deps.database.atomic([statement]);
  }

  /** A write alone (atomic by itself); RETURNING counts its own rows, never its triggers'. */
  async count(statement: SQL): Promise<number> {
    return (await this.rows(sql`${statement} RETURNING 1 AS pruned`)).length;
  }

  private elapsed(): number {
    return this.deps.clock.monotonic?.() ?? this.deps.clock.now();
  }
}

/** A turn for the event loop between batches (webhooks, claims, heartbeats go first). */
const yieldToEventLoop = (): Promise<void> => realSleep(0);
