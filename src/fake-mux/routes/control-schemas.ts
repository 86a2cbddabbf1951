/** The bodies the `/_fake` control API accepts, as zod schemas. */
import { z } from "zod";
import { mp4SupportSchema, playbackPolicySchema, resolutionSchema } from "./api-bodies";

/** `TextTrackSpec` as JSON. */
export const textTrackSpecSchema = z.object({
  id: z.string().min(1).optional(),
  textSource: z.enum(["uploaded", "generated_vod"]).optional(),
  languageCode: z.string().optional(),
  name: z.string().optional(),
  closedCaptions: z.boolean().optional(),
  readyAfterMs: z.number().nonnegative().nullable().optional(),
});

/** `AssetSpec` as JSON. */
export const assetSpecSchema = z.object({
  id: z.string().min(1).optional(),
  playbackPolicies: z.array(playbackPolicySchema).optional(),
  mp4Support: mp4SupportSchema.optional(),
  staticRenditions: z.array(resolutionSchema).optional(),
  status: z.enum(["preparing", "ready", "errored"]).optional(),
  renditionsReady: z.boolean().optional(),
  outcome: z.enum(["ready", "errored"]).optional(),
  errors: z.object({ type: z.string(), messages: z.array(z.string()) }).optional(),
  width: z.number().positive().optional(),
  height: z.number().positive().optional(),
  hasVideo: z.boolean().optional(),
  hasAudio: z.boolean().optional(),
  duration: z.number().positive().optional(),
  frameRate: z.number().positive().optional(),
  passthrough: z.string().optional(),
  meta: z
    .object({
      title: z.string().optional(),
      creator_id: z.string().optional(),
      external_id: z.string().optional(),
    })
    .optional(),
  maxResolutionTier: z.enum(["1080p", "1440p", "2160p"]).optional(),
  videoQuality: z.enum(["basic", "plus", "premium"]).optional(),
  test: z.boolean().optional(),
  createdAt: z.number().optional(),
  readyAfterMs: z.number().nonnegative().nullable().optional(),
  renditionsAfterMs: z.number().nonnegative().nullable().optional(),
  renditionStaggerMs: z.number().nonnegative().optional(),
  renditionOrder: z.enum(["smallest-first", "listed"]).optional(),
  spontaneousUpdate: z.boolean().optional(),
  live: z.boolean().optional(),
  liveStreamId: z.string().min(1).optional(),
  textTracks: z.array(textTrackSpecSchema).optional(),
});

export const faultsSchema = z.object({
  dropRate: z.number().min(0).max(1).optional(),
  duplicateRate: z.number().min(0).max(1).optional(),
  reorder: z.boolean().optional(),
  maxDelayMs: z.number().nonnegative().optional(),
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().nonnegative().optional(),
});

export const listingSchema = z.object({
  cursor: z.enum(["stable", "offset"]).optional(),
  order: z.enum(["newest-first", "oldest-first", "by-id", "shuffled"]).optional(),
  shuffleSeed: z.number().int().optional(),
});

export const environmentSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  tokenId: z.string().min(1),
  tokenSecret: z.string().min(1),
  permissions: z.array(z.string()).optional(),
  webhookSecret: z.string().min(1),
  webhookUrl: z.url().nullable().optional(),
  listing: listingSchema.optional(),
});

export const tokenSchema = z.object({
  id: z.string().min(1),
  secret: z.string().min(1),
  name: z.string().optional(),
  permissions: z.array(z.string()).optional(),
});
