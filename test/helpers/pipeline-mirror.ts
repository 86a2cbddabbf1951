/**
 * The pipeline's view, rebuilt from what it received: applying the deliveries in order (each
 * `webhook-id` once) gives the set of objects it holds, with the last data it got for each. The
 * central invariant compares it with the library's qualifying set.
 */
import type { ReceivedDelivery } from "./pipeline-receiver";

export type MirroredObject = {
  asset_id: string;
  title: unknown;
  passthrough: unknown;
  rendition: unknown;
  data: Record<string, unknown>;
};

/** A delivery as far as the mirror needs it: its id and body. */
type Delivery = Pick<ReceivedDelivery, "id" | "body">;

export function mirror(deliveries: readonly Delivery[]): Map<string, MirroredObject> {
  const seen = new Set<string>();
  const held = new Map<string, MirroredObject>();
  for (const delivery of deliveries) {
    if (seen.has(delivery.id)) continue;
    seen.add(delivery.id);
    const data = delivery.body.data;
    const source = data.source as { asset_id: string };
    if (delivery.body.type === "object.deleted") {
      held.delete(source.asset_id);
      continue;
    }
    const metadata = (data.metadata ?? {}) as Record<string, unknown>;
    const rendition = data.rendition as { name?: string } | null;
    held.set(source.asset_id, {
      asset_id: source.asset_id,
      title: metadata.title ?? null,
      passthrough: metadata.passthrough ?? null,
      rendition: rendition?.name ?? null,
      data,
    });
  }
  return held;
}

/** The types and reasons received for one asset, in order (a story to assert on). */
export function storyOf(deliveries: readonly Delivery[], assetId: string): string[] {
  const seen = new Set<string>();
  return deliveries
    .filter((d) => (d.body.data.source as { asset_id: string }).asset_id === assetId)
    .filter((d) => !seen.has(d.id) && seen.add(d.id) !== undefined)
    .map((d) => (d.body.type === "object.deleted" ? `deleted:${String(d.body.data.reason)}` : d.body.type));
}
