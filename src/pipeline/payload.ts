/**
 * The body the pipeline receives, exactly as the design contract states it (DESIGN §6, the schema
 * in `payload-schema.ts`): `{type, data: {bucket_id, sync_id, object_id, reason?, source,
 * rendition, metadata, tracks, images}}`. It is the full current object for every type; `reason`
 * says why an object left, on `object.deleted` only.
 *
 * Every URL is built here from the object's playback id at send time: a signed playback id's
 * URLs each carry a fresh token of their own audience (`v` for the MP4 and text tracks, `t`, `s`,
 * `g` for the images), a public id's none. Without tokens the body holds no secret, which is
 * what is stored on the delivery.
 */
import type { TrackRecord } from "../db/documents";
import type { DeliveryType, LeaveReason, ObjectRow } from "../db/schema";
import { imageUrl } from "../mux/images";
import { streamUrl, textTrackUrl } from "../mux/stream";
import { isGeneratedTextSource } from "../mux/tracks";
import type { PayloadTrack, PipelinePayload } from "./payload-schema";

export type { PipelinePayload } from "./payload-schema";

/** One token per audience, for a signed playback id. */
export type PlaybackTokens = { video: string; thumbnail: string; storyboard: string; gif: string };

export type PlaybackAccess = {
  streamBaseUrl: string;
  imageBaseUrl: string;
  /** null: the URLs go without a token (a public id, or the copy kept on the delivery). */
  tokens: PlaybackTokens | null;
};

export type PayloadObject = Pick<
  ObjectRow,
  | "id"
  | "bucketId"
  | "syncId"
  | "assetId"
  | "playbackId"
  | "playbackPolicy"
  | "rendition"
  | "metadata"
  | "tracks"
>;

export function buildPipelinePayload(
  delivery: { type: DeliveryType; reason: LeaveReason | null },
  object: PayloadObject,
  access: PlaybackAccess,
): PipelinePayload {
  const { playbackId } = object;
  const tokens = access.tokens;
  const rendition =
    object.rendition && playbackId && tokens
      ? {
          ...object.rendition,
          url: streamUrl({
            baseUrl: access.streamBaseUrl,
            playbackId,
            name: object.rendition.name,
            token: tokens.video,
          }),
        }
      : (object.rendition ?? null);
  return {
    type: delivery.type,
    data: {
      bucket_id: object.bucketId,
      sync_id: object.syncId,
      object_id: object.id,
      ...(delivery.type === "object.deleted" ? { reason: delivery.reason ?? "deleted_in_mux" } : {}),
      source: {
        provider: "mux",
        asset_id: object.assetId,
        playback_id: playbackId,
        playback_policy: object.playbackPolicy,
      },
      rendition,
      metadata: object.metadata,
      tracks: (object.tracks ?? []).map((track) => payloadTrack(track, playbackId, access)),
      images: playbackId && hasPictures(object) ? images(playbackId, access) : null,
    },
  };
}

function payloadTrack(track: TrackRecord, playbackId: string | null, access: PlaybackAccess): PayloadTrack {
  if (track.type === "audio") return track;
  if (!playbackId) return track;
  const link = { baseUrl: access.streamBaseUrl, playbackId, trackId: track.id, token: access.tokens?.video };
  return {
    ...track,
    vtt_url: textTrackUrl({ ...link, format: "vtt" }),
    ...(isGeneratedTextSource(track.text_source) && {
      transcript_url: textTrackUrl({ ...link, format: "txt" }),
    }),
  };
}

/** An audio-only asset has no picture to show. */
function hasPictures(object: PayloadObject): boolean {
  return object.metadata?.resolution_tier !== "audio-only";
}

function images(playbackId: string, access: PlaybackAccess): NonNullable<PipelinePayload["data"]["images"]> {
  const { imageBaseUrl: baseUrl, tokens } = access;
  return {
    thumbnail_url: imageUrl({ baseUrl, playbackId, kind: "thumbnail", token: tokens?.thumbnail }),
    storyboard_url: imageUrl({ baseUrl, playbackId, kind: "storyboard", token: tokens?.storyboard }),
    animated_url: imageUrl({ baseUrl, playbackId, kind: "animated", token: tokens?.gif }),
  };
}
