/**
 * An object's timeline for its story: its state changes (each naming the pass whose check made
 * it, if one did), the webhooks Mux sent about its asset, and its deliveries with every attempt's
 * answer. Paged, newest first: each page merges the newest entries of the three sources older
 * than the cursor (one index range each: `object_history_object_idx`, the asset's
 * `webhook_events_asset_idx` in rowid order, i.e. arrival order, and
 * `deliveries_object_version_idx`), and reads the attempts of the page's deliveries in one range
 * of `delivery_attempts_delivery_idx` each, so a page costs the same however long the history is.
 */
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { DELIVERY_ATTEMPTS_KEPT, deliveryAttempts } from "../db/delivery-attempts";
import { deliveries, type ObjectRow, objectHistory, webhookEvents } from "../db/schema";
import type { Deps } from "../sync/deps";
import { decodePageCursor, encodePageCursor } from "./page-cursor";
import { isoTime } from "./present";

/** Timeline entries per page. */
export const TIMELINE_PAGE = 50;

/** One attempt to send a delivery: what the pipeline answered (no status: it did not answer). */
export type AttemptView = { attempt: number; at: string | null; status: number | null; error: string | null };

export type TimelineEntry =
  | {
      kind: "state";
      at: string | null;
      state: string;
      reason: string | null;
      message: string | null;
      /** The pass whose check made the change; null for a webhook's or a person's. */
      run_id: string | null;
    }
  | {
      kind: "webhook";
      at: string | null;
      event_id: string;
      type: string;
      outcome: string;
      connection_id: string;
    }
  | {
      kind: "delivery";
      at: string | null;
      id: string;
      type: string;
      reason: string | null;
      version: number;
      status: string;
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      delivered_at: string | null;
      /** Its attempts, newest first (the newest `DELIVERY_ATTEMPTS_KEPT`). */
      attempt_history: AttemptView[];
    };

export type TimelinePage = {
  timeline: TimelineEntry[];
  /** The cursor of the next (older) page, or null at the timeline's start. */
  older_cursor: string | null;
};

/** Where a timeline page stops in each source: exclusive bounds, newest first. */
type TimelinePosition = { history: number; webhook: number; delivery: number };
const NEWEST: TimelinePosition = {
  history: Number.MAX_SAFE_INTEGER,
  webhook: Number.MAX_SAFE_INTEGER,
  delivery: Number.MAX_SAFE_INTEGER,
};

/** A webhook row's rowid: its arrival order, and the order of `webhook_events_asset_idx` within an asset. */
const webhookRowid = sql<number>`${webhookEvents}.rowid`;

type Sourced = { at: number; source: keyof TimelinePosition; key: number; entry: TimelineEntry };

/**
 * The newest `TIMELINE_PAGE` entries older than the cursor, merged by time (each source's own
 * order kept: a merge of heads, so what a page takes from a source is always its newest run).
 */
export async function readTimelinePage(
  deps: Pick<Deps, "database">,
  row: ObjectRow,
  cursor: string | undefined,
): Promise<TimelinePage> {
  const position = cursor ? decodeTimelineCursor(cursor) : NEWEST;
  const sources = await readSources(deps, row, position);
  const taken: Sourced[] = [];
  const heads = sources.map(() => 0);
  while (taken.length < TIMELINE_PAGE) {
    let best = -1;
    sources.forEach((list, i) => {
      const head = list[heads[i] ?? 0];
      const current = best >= 0 ? sources[best]?.[heads[best] ?? 0] : undefined;
      if (head && (!current || head.at > current.at)) best = i;
    });
    if (best < 0) break;
    const entry = sources[best]?.[heads[best] ?? 0];
    if (!entry) break;
    taken.push(entry);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  const left = sources.some((list, i) => list.length > (heads[i] ?? 0));
  const next = { ...position };
  for (const entry of taken) next[entry.source] = entry.key;
  const timeline = taken.map((t) => t.entry);
  await attachAttempts(deps, timeline);
  return {
    timeline,
    older_cursor: left ? encodePageCursor(["timeline", next.history, next.webhook, next.delivery]) : null,
  };
}

function decodeTimelineCursor(cursor: string): TimelinePosition {
  const [history, webhook, delivery] = decodePageCursor(cursor, "timeline", ["number", "number", "number"]);
  return { history, webhook, delivery };
}

/** Each source's newest `TIMELINE_PAGE + 1` entries older than `position` (one more tells a page is left). */
async function readSources(
  deps: Pick<Deps, "database">,
  row: ObjectRow,
  position: TimelinePosition,
): Promise<Sourced[][]> {
  const { db } = deps.database;
  const take = TIMELINE_PAGE + 1;
  const history = await db
    .select()
    .from(objectHistory)
    .where(and(eq(objectHistory.objectId, row.id), lt(objectHistory.id, position.history)))
    .orderBy(desc(objectHistory.id))
    .limit(take)
    .all();
  const webhooks = await db
    .select({
      rowid: webhookRowid,
      id: webhookEvents.id,
      type: webhookEvents.type,
      outcome: webhookEvents.outcome,
      connectionId: webhookEvents.connectionId,
      receivedAt: webhookEvents.receivedAt,
    })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.assetId, row.assetId), lt(webhookRowid, position.webhook)))
    .orderBy(desc(webhookRowid))
    .limit(take)
    .all();
  const sent = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.objectId, row.id), lt(deliveries.objectVersion, position.delivery)))
    .orderBy(desc(deliveries.objectVersion))
    .limit(take)
    .all();
  return [
    history.map((h) => ({
      at: h.at,
      source: "history" as const,
      key: h.id,
      entry: {
        kind: "state" as const,
        at: isoTime(h.at),
        state: h.state,
        reason: h.reason,
        message: h.message,
        run_id: h.runId,
      },
    })),
    webhooks.map((w) => ({
      at: w.receivedAt,
      source: "webhook" as const,
      key: w.rowid,
      entry: {
        kind: "webhook" as const,
        at: isoTime(w.receivedAt),
        event_id: w.id,
        type: w.type,
        outcome: w.outcome,
        connection_id: w.connectionId,
      },
    })),
    sent.map((d) => ({
      at: d.createdAt,
      source: "delivery" as const,
      key: d.objectVersion,
      entry: {
        kind: "delivery" as const,
        at: isoTime(d.createdAt),
        id: d.id,
        type: d.type,
        reason: d.reason,
        version: d.objectVersion,
        status: d.status,
        attempts: d.attempts,
        last_status: d.lastStatus,
        last_error: d.lastError,
        delivered_at: isoTime(d.deliveredAt),
        attempt_history: [],
      },
    })),
  ];
}

/** The attempts of the page's deliveries that were tried (an untried one has none to read). */
async function attachAttempts(deps: Pick<Deps, "database">, timeline: TimelineEntry[]): Promise<void> {
  const tried = timeline.filter(
    (e): e is Extract<TimelineEntry, { kind: "delivery" }> => e.kind === "delivery" && e.attempts > 0,
  );
  if (tried.length === 0) return;
  const rows = await deps.database.db
    .select()
    .from(deliveryAttempts)
    .where(
      inArray(
        deliveryAttempts.deliveryId,
        tried.map((e) => e.id),
      ),
    )
    // At most `DELIVERY_ATTEMPTS_KEPT` each (the trigger trims), in index order: newest first here.
    .limit(tried.length * DELIVERY_ATTEMPTS_KEPT)
    .all();
  rows.sort((a, b) => b.id - a.id);
  const byDelivery = new Map(tried.map((e) => [e.id, e.attempt_history]));
  for (const r of rows)
    byDelivery
      .get(r.deliveryId)
      ?.push({ attempt: r.attempt, at: isoTime(r.at), status: r.status, error: r.error });
}
