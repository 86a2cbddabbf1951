/**
 * image.mux.com, where a playback id's still and moving images are served (mux-facts §9.4):
 * `{base}/{playback_id}/thumbnail.jpg`, `…/storyboard.vtt` and `…/animated.gif`. A signed playback
 * id takes `?token=` with its own audience per kind (`t`, `s`, `g`; never the video's `v`), a
 * public one none. `imageUrl` is the one builder of image-host URLs.
 */
import { hostUrl } from "./stream";

export const IMAGE_KINDS = ["thumbnail", "storyboard", "animated"] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/** The file each kind is served as: the formats a pipeline reads without options. */
export const IMAGE_FILES: Record<ImageKind, string> = {
  thumbnail: "thumbnail.jpg",
  storyboard: "storyboard.vtt",
  animated: "animated.gif",
};

export type ImageTarget = {
  /** e.g. `https://image.mux.com`; a trailing slash is tolerated. */
  baseUrl: string;
  playbackId: string;
  kind: ImageKind;
  /** A signed playback id's JWT for this kind's audience; omitted for public ids. */
  token?: string | null;
};

export function imageUrl(target: ImageTarget): string {
  return hostUrl(target.baseUrl, target.playbackId, [IMAGE_FILES[target.kind]], target.token);
}
