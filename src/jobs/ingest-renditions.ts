/**
 * The ingest job's part for MP4s made on demand: after the gates, it applies the request rule
 * (`sync/rendition-requests.ts`) to the evaluation, reading the requests made for the asset and
 * the connection's write permission only when the rule depends on them (a sync without
 * `create_renditions` and an asset with a usable MP4 read nothing more).
 */
import type { SQL, SQLWrapper } from "drizzle-orm";
import type { ObjectRow, syncs } from "../db/schema";
import { STATIC_RENDITION_RESOLUTIONS, type StaticRenditionResolution } from "../mux/rendition-names";
import type { MuxAsset } from "../mux/schemas";
import type { Deps } from "../sync/deps";
import type { Evaluation } from "../sync/evaluate-asset";
import {
  decideRenditionRequests,
  keepRemovedRendition,
  needsRequestRecords,
  type RequestDecision,
} from "../sync/rendition-requests";
import { readWritePermission } from "../sync/write-permission";
import { askStatements, requestsOf } from "./create-rendition-request";

type SyncRow = typeof syncs.$inferSelect;

export async function judgeRenditionRequests(
  deps: Deps,
  sync: SyncRow,
  asset: MuxAsset,
  evaluation: Evaluation,
  existing: ObjectRow | null,
): Promise<RequestDecision> {
  const wanted = wantedResolutions(sync);
  const stored = existing?.rendition?.path !== undefined ? existing.rendition : null;
  if (!needsRequestRecords(evaluation, wanted, stored)) return { evaluation, ask: [] };
  const records = await requestsOf(deps, sync.connectionId, asset.id);
  const kept = keepRemovedRendition(asset, evaluation, stored, records);
  if (kept !== evaluation || wanted.length === 0) return { evaluation: kept, ask: [] };
  return decideRenditionRequests(asset, evaluation, {
    wanted,
    records,
    canWrite: await readWritePermission(deps, sync.connectionId),
    now: deps.clock.now(),
    graceMs: deps.ingest.renditionGraceMs,
  });
}

/** The statements that ask for `ask`, for the object write's batch (`guard`: the write won). */
export function askFor(
  deps: Deps,
  sync: SyncRow,
  assetId: string,
  ask: readonly StaticRenditionResolution[],
  guard?: SQL,
): SQLWrapper[] {
  return ask.length === 0
    ? []
    : askStatements(deps, { connectionId: sync.connectionId, assetId }, ask, guard);
}

/** The sync's `create_renditions` (validated when saved; anything else stored is ignored). */
function wantedResolutions(sync: SyncRow): StaticRenditionResolution[] {
  const known: readonly string[] = STATIC_RENDITION_RESOLUTIONS;
  return sync.createRenditions.filter((r): r is StaticRenditionResolution => known.includes(r));
}
