/**
 * The chaos run's verdict on what the pipeline received, independent of the service's code:
 * - the mirror invariant: the deliveries applied in order (each `webhook-id` once) give exactly the
 *   library's qualifying set, each member with its latest metadata and chosen file;
 * - every `webhook-id` is one distinct change: per object, ids come in increasing version order,
 *   and no id repeats what the pipeline already held (a change it would not care about);
 * - no wrong deletion: `deleted_in_mux` only for assets deleted in Mux, any other departure only
 *   for assets the run changed.
 */
import type { FakeAsset } from "../../src/fake-mux/index";
import { type ExpectedView, expectationFor, expectedView } from "./chaos-library";
import type { ProcessedDelivery } from "./chaos-pipeline";
import { mirror } from "./pipeline-mirror";

export type MirrorDiff = { missing: string[]; extra: string[]; stale: string[] };

/** The qualifying set Mux shows now (under the final filter), with each member's view. */
export function qualifyingSet(
  library: readonly FakeAsset[],
  excluded: string | null,
): Map<string, ExpectedView> {
  return new Map(
    library
      .filter((asset) => expectationFor(asset, excluded).deliver)
      .map((asset) => [asset.id, expectedView(asset)]),
  );
}

export function compareMirror(
  processed: readonly ProcessedDelivery[],
  expected: Map<string, ExpectedView>,
): MirrorDiff {
  const held = mirror(processed);
  const diff: MirrorDiff = { missing: [], extra: [], stale: [] };
  for (const [assetId, view] of expected) {
    const got = held.get(assetId);
    if (!got) diff.missing.push(assetId);
    else if (
      got.title !== view.title ||
      got.passthrough !== view.passthrough ||
      got.rendition !== view.rendition
    )
      diff.stale.push(
        `${assetId}: held ${JSON.stringify([got.title, got.passthrough, got.rendition])}, Mux ${JSON.stringify([view.title, view.passthrough, view.rendition])}`,
      );
  }
  for (const assetId of held.keys()) if (!expected.has(assetId)) diff.extra.push(assetId);
  return diff;
}

export const mirrorHolds = (diff: MirrorDiff) =>
  diff.missing.length === 0 && diff.extra.length === 0 && diff.stale.length === 0;

/** The first receipt of each id, in the order the pipeline got them. */
function distinct(processed: readonly ProcessedDelivery[]): ProcessedDelivery[] {
  const seen = new Set<string>();
  return processed.filter((d) => !seen.has(d.id) && seen.add(d.id) !== undefined);
}

const versionOf = (id: string) => Number(id.slice(id.lastIndexOf(".v") + 2));

/** What the pipeline would see of a delivery: its type and the object's view in it. */
function seen(delivery: ProcessedDelivery): string {
  const data = delivery.body.data as {
    metadata?: { title?: unknown; passthrough?: unknown };
    source?: { playback_id?: unknown; playback_policy?: unknown };
  };
  return JSON.stringify([
    delivery.type,
    data.metadata?.title ?? null,
    data.metadata?.passthrough ?? null,
    delivery.renditionName,
    data.source?.playback_id ?? null,
    data.source?.playback_policy ?? null,
  ]);
}

/** Ids that broke "one id, one distinct change": out of version order, or repeating the last view. */
export function changeViolations(processed: readonly ProcessedDelivery[]): string[] {
  const last = new Map<string, ProcessedDelivery>();
  const violations: string[] = [];
  for (const delivery of distinct(processed)) {
    const previous = last.get(delivery.objectId);
    if (previous && versionOf(delivery.id) <= versionOf(previous.id))
      violations.push(`${delivery.id} after ${previous.id}`);
    if (previous && seen(previous) === seen(delivery))
      violations.push(`${delivery.id} repeats ${previous.id}`);
    last.set(delivery.objectId, delivery);
  }
  return violations;
}

/** `object.deleted` deliveries that nothing in the run explains. */
export function wrongDeletions(
  processed: readonly ProcessedDelivery[],
  changes: { deleted: ReadonlySet<string>; touched: ReadonlySet<string> },
): string[] {
  return distinct(processed)
    .filter((d) => d.type === "object.deleted")
    .filter((d) =>
      d.reason === "deleted_in_mux" ? !changes.deleted.has(d.assetId) : !changes.touched.has(d.assetId),
    )
    .map((d) => `${d.id} (${d.reason}) for ${d.assetId}`);
}

/** Distinct deliveries by type (and, for departures, by reason). */
export function deliveriesByKind(processed: readonly ProcessedDelivery[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of distinct(processed)) {
    const kind = d.type === "object.deleted" ? `object.deleted:${d.reason}` : d.type;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
