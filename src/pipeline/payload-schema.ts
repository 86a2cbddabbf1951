/**
 * The body the pipeline receives (DESIGN §6), as one zod schema: the type the builder
 * (`payload.ts`) returns, the JSON Schema published in `docs/pipeline-payload.schema.json`
 * (`npm run docs:payload-schema`, held by `test/unit/payload-schema.test.ts`) and the OpenAPI
 * document's `webhooks` entry all come from it.
 */
import { z } from "zod";
import { DELIVERY_TYPES, LEAVE_REASONS } from "../db/schema";

const url = (description: string) => z.string().meta({ description, format: "uri" });

const renditionSchema = z
  .object({
    name: z.string().meta({ description: "The MP4 (or M4A) file's name on Mux, e.g. highest.mp4." }),
    url: url("The file on the stream host; for a signed playback id with a fresh ?token= (aud v)."),
    width: z.number().nullable(),
    height: z.number().nullable(),
    bitrate: z.number().nullable(),
    filesize: z.number().nullable().meta({ description: "Bytes (as stored, when downloaded)." }),
    path: z.string().optional().meta({ description: "Where the file is stored (with STORAGE_DIR or R2)." }),
    sha256: z.string().optional().meta({ description: "Lowercase hex SHA-256 of the stored file." }),
  })
  .meta({ title: "Rendition", description: "The MP4 chosen for the asset." });

const metadataSchema = z
  .object({
    title: z.string().nullable(),
    passthrough: z.string().nullable(),
    creator_id: z.string().nullable(),
    external_id: z.string().nullable(),
    duration: z.number().nullable().meta({ description: "Seconds." }),
    aspect_ratio: z.string().nullable(),
    resolution_tier: z.string().nullable(),
    created_at: z.string().nullable().meta({ description: "When the asset was created (ISO 8601)." }),
  })
  .meta({ title: "Metadata" });

const textTrackSchema = z
  .object({
    id: z.string(),
    type: z.literal("text"),
    text_type: z.string().nullable().meta({ description: "e.g. subtitles." }),
    language_code: z.string().nullable().meta({ description: "As Mux has it, e.g. en or en-US." }),
    name: z.string().nullable(),
    closed_captions: z.boolean().nullable(),
    text_source: z.string().nullable().meta({
      description: "uploaded, embedded, generated_vod, generated_live or generated_live_final.",
    }),
    vtt_url: url(
      "The WebVTT, {stream}/{playback_id}/text/{track_id}.vtt (signed: ?token=, aud v).",
    ).optional(),
    transcript_url: url("Generated tracks: the plain-text transcript, …/text/{track_id}.txt.").optional(),
    path: z.string().optional().meta({ description: "The stored WebVTT (with STORAGE_DIR or R2)." }),
    transcript_path: z.string().optional().meta({ description: "The stored transcript." }),
  })
  .meta({ title: "TextTrack", description: "A ready caption or subtitle track." });

const audioTrackSchema = z
  .object({
    id: z.string(),
    type: z.literal("audio"),
    language_code: z.string().nullable(),
    name: z.string().nullable(),
    primary: z.boolean().nullable(),
  })
  .meta({ title: "AudioTrack" });

export const payloadTrackSchema = z.discriminatedUnion("type", [textTrackSchema, audioTrackSchema]);

const imagesSchema = z
  .object({
    thumbnail_url: url("{image}/{playback_id}/thumbnail.jpg (signed: ?token=, aud t)."),
    storyboard_url: url("{image}/{playback_id}/storyboard.vtt (signed: aud s)."),
    animated_url: url("{image}/{playback_id}/animated.gif (signed: aud g)."),
  })
  .meta({
    title: "Images",
    description:
      "Still and animated images of the video; null without a playback id or for audio-only assets.",
  });

export const pipelinePayloadSchema = z
  .object({
    type: z.enum(DELIVERY_TYPES),
    data: z.object({
      bucket_id: z.string(),
      sync_id: z.string(),
      object_id: z.string(),
      reason: z
        .enum(LEAVE_REASONS)
        .optional()
        .meta({ description: "Why the object left (object.deleted only)." }),
      source: z.object({
        provider: z.literal("mux"),
        asset_id: z.string(),
        playback_id: z.string().nullable(),
        playback_policy: z.string().nullable().meta({ description: "public or signed." }),
      }),
      rendition: renditionSchema.nullable(),
      metadata: metadataSchema.nullable(),
      tracks: z.array(payloadTrackSchema).meta({
        description: "The asset's ready text tracks, then its audio tracks (in Mux's order).",
      }),
      images: imagesSchema.nullable(),
    }),
  })
  .meta({
    title: "PipelinePayload",
    description:
      "What mux-ingest POSTs to a bucket's pipeline URL, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). Any 2xx counts as delivered.",
  });

export type PipelinePayload = z.output<typeof pipelinePayloadSchema>;
export type PayloadTrack = z.output<typeof payloadTrackSchema>;

/** The JSON Schema of the payload (draft 2020-12), as published. */
export function pipelinePayloadJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pipelinePayloadSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}

/** The published file's exact text. */
export function pipelinePayloadJsonSchemaText(): string {
  return `${JSON.stringify(pipelinePayloadJsonSchema(), null, 2)}\n`;
}
