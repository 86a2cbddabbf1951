/**
 * Signs webhooks the way Mux does, with node:crypto: an implementation independent of the one
 * under test (src/mux/signature.ts uses Web Crypto).
 */
import { createHmac } from "node:crypto";

export function muxSignature(body: string, secret: string, timestampSeconds: number): string {
  const hex = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
  return `t=${timestampSeconds},v1=${hex}`;
}

let counter = 0;

/** A Mux event envelope as Mux sends it (ids unique per call unless given). */
export function muxEvent(
  type: string,
  data: Record<string, unknown> | null,
  overrides: Record<string, unknown> = {},
) {
  counter++;
  const assetId =
    typeof data?.id === "string" ? data.id : typeof data?.asset_id === "string" ? data.asset_id : null;
  return {
    type,
    request_id: null,
    object: { type: "asset", id: assetId },
    id: `evt-${Date.now().toString(36)}-${counter}`,
    environment: { name: "Development", id: "env123" },
    data,
    created_at: "2026-01-01T00:00:00.000000Z",
    attempts: [],
    accessor_source: null,
    accessor: null,
    ...overrides,
  };
}
