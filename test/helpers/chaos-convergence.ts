/**
 * When the chaos run has converged, read from the outside: the service's database (every asset
 * judged as Mux's final state implies, every deletion recorded, nothing queued or pending) and
 * the pipeline's view (the mirror invariant).
 */
import type { FakeAsset } from "../../src/fake-mux/index";
import type { ObjectRow, ServiceDatabaseReader } from "./chaos-db";
import { type Expectation, expectationFor } from "./chaos-library";
import type { ProcessedDelivery } from "./chaos-pipeline";
import { compareMirror, type MirrorDiff, mirrorHolds, qualifyingSet } from "./chaos-verdict";

export type WorldAtEnd = {
  library: readonly FakeAsset[];
  deleted: ReadonlySet<string>;
  /** The passthrough the sync's final filter excludes. */
  excluded: string | null;
};

export function matches(object: ObjectRow | undefined, expected: Expectation): boolean {
  if (!object) return false;
  if (expected.deliver) return object.state === "delivered";
  return object.state === "skipped" && object.reason === expected.reason;
}

export type Convergence = { done: boolean; stragglers: string[]; mirror: MirrorDiff };

export function convergence(
  reader: ServiceDatabaseReader,
  world: WorldAtEnd,
  processed: readonly ProcessedDelivery[],
): Convergence {
  const objects = new Map(reader.objects().map((row) => [row.asset_id, row]));
  const stragglers: string[] = [];
  for (const asset of world.library) {
    const expected = expectationFor(asset, world.excluded);
    const object = objects.get(asset.id);
    if (!matches(object, expected))
      stragglers.push(`${asset.id}: ${JSON.stringify(expected)}, is ${object?.state}/${object?.reason}`);
  }
  for (const id of world.deleted) {
    const state = objects.get(id)?.state;
    if (state !== undefined && state !== "deleted") stragglers.push(`${id}: deleted in Mux, is ${state}`);
  }
  const queue = reader.queue();
  const pending = reader.count("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'");
  const diff = compareMirror(processed, qualifyingSet(world.library, world.excluded));
  return {
    done: stragglers.length === 0 && queue.pending + queue.running + pending === 0 && mirrorHolds(diff),
    stragglers,
    mirror: diff,
  };
}

export function reportStragglers(reader: ServiceDatabaseReader, last: Convergence): void {
  console.log(
    "not converged:",
    JSON.stringify(
      { queue: reader.queue(), stragglers: last.stragglers.slice(0, 20), mirror: trim(last.mirror) },
      null,
      2,
    ),
  );
  console.log(
    "jobs:",
    JSON.stringify(
      reader.all(
        "SELECT type, idempotency_key, status, attempts, last_error FROM jobs WHERE status <> 'done'",
      ),
      null,
      2,
    ),
  );
}

function trim(diff: MirrorDiff): MirrorDiff {
  return {
    missing: diff.missing.slice(0, 10),
    extra: diff.extra.slice(0, 10),
    stale: diff.stale.slice(0, 10),
  };
}
