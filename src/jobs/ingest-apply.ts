/**
 * The ingest job's write: a planned change (`decideChange`) as one atomic batch with what must go
 * with it: the outbox delivery, the download job, the run's repair counter, and whatever the
 * caller adds (`alongside`: the static renditions it asks Mux for).
 */
import { eq, type SQL, type SQLWrapper } from "drizzle-orm";
import { countActivityStatement } from "../db/activity";
import { type ObjectRow, objects, type Trigger } from "../db/schema";
import { AppError } from "../lib/errors";
import type { RenditionCandidate } from "../mux/renditions";
import type { Deps } from "../sync/deps";
import type { ChangePlan } from "../sync/object-transitions";
import {
  commitObjectWrite,
  type ObjectChange,
  type ObjectWrite,
  planObjectWrite,
} from "../sync/object-writes";
import { pipelineViewKey, rowView } from "../sync/pipeline-view";
import { countRepair, webhookRaced } from "../sync/run-record";
import { outboxStatements } from "./deliver";
import { downloadJob } from "./download";

export type IngestOutcome =
  | { kind: "written"; state: string }
  | { kind: "unchanged"; state: string }
  | { kind: "ignored"; why: string }
  /** The write's own condition (`onlyIf`) did not hold; the object is as it was. */
  | { kind: "refused" };

/** Who asked: a poll's run counts the repairs it made. */
export type ChangeOrigin = {
  via: Trigger;
  runId?: string;
  /** Set by passes after the initial one: finding work then means a webhook was missed. */
  repairs?: boolean;
};

export async function applyPlan(
  deps: Deps,
  existing: ObjectRow | null,
  change: ObjectChange,
  plan: Extract<ChangePlan, { write: true }>,
  origin: ChangeOrigin,
  options: {
    candidates?: RenditionCandidate[];
    onlyIf?: SQL;
    /** More statements for the batch, each guarded by `write.won`. */
    alongside?: (write: ObjectWrite) => SQLWrapper[];
  } = {},
): Promise<IngestOutcome> {
  const written: ObjectChange = {
    ...change,
    state: plan.state,
    reason: plan.reason,
    runId: origin.runId ?? null,
    ...(plan.keepStoredRendition && existing?.rendition ? { rendition: existing.rendition } : {}),
  };
  if (plan.announce) {
    written.announcedView =
      plan.announce.type === "object.deleted" ? null : pipelineViewKey(viewAfter(existing, written));
  }
  const write = planObjectWrite(deps, existing, written, options.onlyIf);
  const repaired =
    isRepair(existing, plan, origin) &&
    !(await webhookRaced(deps, change.assetId, existing?.updatedAt ?? null));
  const alongside = [
    ...(repaired && origin.runId
      ? [
          countRepair(origin.runId, write.won),
          countActivityStatement("repairs", deps.clock.now(), { onlyIf: write.won }),
        ]
      : []),
    ...(plan.download
      ? [
          deps.jobs.enqueueStatement(
            downloadJob.request({
              objectId: write.objectId,
              version: write.version,
              candidates: options.candidates ?? [],
            }),
            { onlyIf: write.won },
          ),
        ]
      : []),
    ...(plan.announce ? outboxStatements(deps, write, plan.announce.type, plan.announce.reason) : []),
    ...(options.alongside?.(write) ?? []),
  ];
  const result = await commitObjectWrite(deps, write, alongside);
  if (
    !result.written &&
    options.onlyIf &&
    existing &&
    (await versionOf(deps, existing.id)) === existing.version
  ) {
    return { kind: "refused" };
  }
  if (!result.written) {
    // Another writer changed the object between our read and our write: run again on fresh data.
    throw new AppError("CONFLICT", `Object for asset ${change.assetId} changed concurrently`, {
      retryable: true,
    });
  }
  if (repaired) {
    // Every repair is a webhook that never arrived (or arrived and was lost): worth a warning.
    deps.logger.warn("Reconciliation repaired an asset the webhooks missed", {
      asset_id: change.assetId,
      run_id: origin.runId,
      state: plan.state,
    });
  }
  deps.logger.info("Object state changed", {
    asset_id: change.assetId,
    bucket_id: change.bucketId,
    from: existing?.state ?? null,
    to: plan.state,
    reason: plan.reason,
    announced: plan.announce?.type ?? null,
  });
  return { kind: "written", state: plan.state };
}

async function versionOf(deps: Pick<Deps, "database">, objectId: string): Promise<number | null> {
  const row = await deps.database.db
    .select({ version: objects.version })
    .from(objects)
    .where(eq(objects.id, objectId))
    .get();
  return row?.version ?? null;
}

/** The view the row will hold after the change (a field the change leaves out keeps its value). */
function viewAfter(existing: ObjectRow | null, change: ObjectChange) {
  const keep = <T>(value: T | undefined, current: T): T => (value === undefined ? current : value);
  return rowView({
    metadata: keep(change.metadata, existing?.metadata ?? null),
    rendition: keep(change.rendition, existing?.rendition ?? null),
    playbackId: keep(change.playbackId, existing?.playbackId ?? null),
    playbackPolicy: keep(change.playbackPolicy, existing?.playbackPolicy ?? null),
    tracks: keep(change.tracks, existing?.tracks ?? null),
  });
}

/**
 * A repair is a change a webhook should already have brought, found by a pass after the first.
 * Not one: a change a webhook about the asset raced (`webhookRaced`), the end of a rendition
 * grace period (time, not Mux, decided it), a retry of an object that had failed here, nor the
 * service's own step on an asset it already knew ready (asking Mux for an MP4, or finding the
 * token cannot: a new `create_renditions`, a token that may write now).
 */
function isRepair(
  existing: ObjectRow | null,
  plan: Extract<ChangePlan, { write: true }>,
  origin: ChangeOrigin,
) {
  if (origin.via !== "poll" || origin.repairs !== true || origin.runId === undefined) return false;
  if (existing?.state === "failed") return false;
  const ownStep = plan.reason === "rendition_requested" || plan.reason === "no_write_permission";
  if (ownStep && (existing?.state === "waiting_for_rendition" || existing?.state === "skipped")) return false;
  return !(plan.state === "skipped" && plan.reason === "no_static_renditions");
}
