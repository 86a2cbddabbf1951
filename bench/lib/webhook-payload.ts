/**
 * Realistic `video.asset.ready` deliveries for the load generator: a ~1.5 KB envelope shaped like
 * the ones Mux sends (tracks, playback ids, static renditions), with a fresh event id and asset id
 * per request and a `Mux-Signature` computed with node:crypto, independent of the code under test.
 */
import { createHmac, randomBytes } from "node:crypto";

const TEMPLATE = JSON.stringify({
  type: "video.asset.ready",
  request_id: null,
  object: { type: "asset", id: "@ASSET@" },
  id: "@EVENT@",
  environment: { name: "Production", id: "@ENVIRONMENT@" },
  data: {
    upload_id: "gjjg48rGLX4hBM9NVLzfTs13r8nr02CkYWE02Byd8jgV00",
    tracks: [
      {
        type: "video",
        max_width: 1920,
        max_height: 1080,
        max_frame_rate: 29.97,
        duration: 187.32,
        id: "p3AUxxHVj600DwUD01p02XXMFI0118lGbNjDeJbYFe7Xyh00",
      },
      {
        type: "audio",
        max_channels: 2,
        duration: 187.3,
        primary: true,
        language_code: "en",
        status: "ready",
        id: "FAHPuZvRaWZ7hSX4jjvTM002bAUw2cM1JKEcL002ZOzPU",
      },
    ],
    status: "ready",
    playback_ids: [{ policy: "public", id: "pZRRUL8HyLpvw8Cc01SZyKKgAzwT01lF02FUK5CFmw013HQ" }],
    static_renditions: {
      status: "preparing",
      files: [
        { name: "low.mp4", ext: "mp4" },
        { name: "medium.mp4", ext: "mp4" },
        { name: "high.mp4", ext: "mp4" },
      ],
    },
    mp4_support: "standard",
    max_stored_resolution: "HD",
    max_stored_frame_rate: 29.97,
    max_resolution_tier: "1080p",
    resolution_tier: "1080p",
    encoding_tier: "smart",
    video_quality: "plus",
    master_access: "none",
    ingest_type: "on_demand_url",
    passthrough: "customer-upload-7f3c2a",
    meta: { title: "Quarterly product update", creator_id: "creator-42", external_id: "cms-item-98231" },
    id: "@ASSET@",
    duration: 187.32,
    created_at: 1767225600,
    aspect_ratio: "16:9",
    progress: { state: "completed", progress: 100 },
    non_standard_input_reasons: { video_frame_rate: "29.97" },
  },
  created_at: "2026-01-01T00:00:00.000000Z",
  attempts: [],
  accessor_source: null,
  accessor: null,
});

export type SignedDelivery = { body: string; headers: Record<string, string> };

/** A Mux environment id no connection is pinned to before its first sync. */
export const BENCH_ENVIRONMENT_ID = "j0863n";

/**
 * Makes deliveries with ids unique to this generator (a random prefix plus a counter), from
 * `environmentId`: once a sync has run, the connection is pinned to the fake's environment, and
 * the route routes a delivery by its `environment.id`.
 */
export function webhookDeliveries(
  secret: string,
  environmentId: string = BENCH_ENVIRONMENT_ID,
): { next(): SignedDelivery; count(): number } {
  const prefix = randomBytes(6).toString("hex");
  const template = TEMPLATE.replaceAll("@ENVIRONMENT@", environmentId);
  let counter = 0;
  return {
    next() {
      counter++;
      const body = template
        .replaceAll("@EVENT@", `${prefix}-evt-${counter}`)
        .replaceAll("@ASSET@", `bench${prefix}asset${counter}`);
      const timestamp = Math.floor(Date.now() / 1000);
      const hex = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
      return {
        body,
        headers: { "content-type": "application/json", "mux-signature": `t=${timestamp},v1=${hex}` },
      };
    },
    count: () => counter,
  };
}

export const WEBHOOK_BODY_BYTES = Buffer.byteLength(
  TEMPLATE.replaceAll("@ENVIRONMENT@", BENCH_ENVIRONMENT_ID)
    .replaceAll("@EVENT@", "000000000000-evt-100000")
    .replaceAll("@ASSET@", "bench000000000000asset100000"),
);
