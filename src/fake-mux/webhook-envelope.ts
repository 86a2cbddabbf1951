/** Mux's webhook envelope, field for field, with `attempts` filled in at delivery time. */
import type { WebhookEnvelope } from "./types";

export type EventInput = {
  id: string;
  type: string;
  object: { type: string; id: string };
  data: Record<string, unknown>;
  environment: { id: string; name: string };
  createdAtMs: number;
};

export function buildEnvelope(input: EventInput): WebhookEnvelope {
  return {
    type: input.type,
    request_id: null,
    object: input.object,
    id: input.id,
    environment: { name: input.environment.name, id: input.environment.id },
    data: input.data,
    created_at: new Date(input.createdAtMs).toISOString(),
    attempts: [],
    accessor_source: null,
    accessor: null,
  };
}
