/** Request bodies of the REST write routes, parsed leniently the way Mux accepts them. */
import { z } from "zod";
import { STATIC_RENDITION_RESOLUTIONS } from "../../mux/rendition-names";
import type { AssetMeta, AssetSpec, Mp4Support, StaticRenditionResolution } from "../types";

export const playbackPolicySchema = z.enum(["public", "signed", "drm"]);
export const resolutionSchema = z.enum(STATIC_RENDITION_RESOLUTIONS);
export const mp4SupportSchema = z.enum([
  "none",
  "standard",
  "capped-1080p",
  "audio-only",
  "audio-only,capped-1080p",
]);
const meta = z.object({
  title: z.string().max(512).optional(),
  creator_id: z.string().max(128).optional(),
  external_id: z.string().max(128).optional(),
});

const createAssetBody = z.object({
  playback_policies: z.array(playbackPolicySchema).optional(),
  playback_policy: z.union([playbackPolicySchema, z.array(playbackPolicySchema)]).optional(),
  mp4_support: mp4SupportSchema.optional(),
  static_renditions: z.array(z.object({ resolution: resolutionSchema })).optional(),
  passthrough: z.string().max(255).optional(),
  meta: meta.optional(),
  max_resolution_tier: z.enum(["1080p", "1440p", "2160p"]).optional(),
  video_quality: z.enum(["basic", "plus", "premium"]).optional(),
  test: z.boolean().optional(),
});

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid body";
}

/** An `AssetSpec`, or the message of a 400. */
export function parseCreateAssetBody(body: unknown): AssetSpec | string {
  const parsed = createAssetBody.safeParse(body ?? {});
  if (!parsed.success) return firstIssue(parsed.error);
  const b = parsed.data;
  const legacyPolicy = b.playback_policy === undefined ? [] : [b.playback_policy].flat();
  return {
    playbackPolicies: b.playback_policies ?? legacyPolicy,
    ...(b.mp4_support && { mp4Support: b.mp4_support }),
    ...(b.static_renditions && { staticRenditions: b.static_renditions.map((r) => r.resolution) }),
    ...(b.passthrough !== undefined && { passthrough: b.passthrough }),
    ...(b.meta && { meta: b.meta }),
    ...(b.max_resolution_tier && { maxResolutionTier: b.max_resolution_tier }),
    ...(b.video_quality && { videoQuality: b.video_quality }),
    ...(b.test !== undefined && { test: b.test }),
  };
}

export function parsePatchBody(body: unknown): { passthrough?: string; meta?: AssetMeta } | string {
  const parsed = z
    .object({ passthrough: z.string().max(255).optional(), meta: meta.optional() })
    .safeParse(body ?? {});
  return parsed.success ? parsed.data : firstIssue(parsed.error);
}

export function parseStaticRenditionBody(
  body: unknown,
): { resolution: StaticRenditionResolution; passthrough?: string } | null {
  const parsed = z
    .object({ resolution: resolutionSchema, passthrough: z.string().max(255).optional() })
    .safeParse(body);
  return parsed.success ? parsed.data : null;
}

export function parseMp4SupportBody(body: unknown): Mp4Support | null {
  const parsed = z.object({ mp4_support: mp4SupportSchema }).safeParse(body);
  return parsed.success ? parsed.data.mp4_support : null;
}
