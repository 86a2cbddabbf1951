/** Tokens for signed playback ids, signed with the connection's key when a URL is used (never stored). */
import type { PlaybackTokenKind } from "../mux/client";
import type { PlaybackTokens } from "../pipeline/payload";
import type { Deps } from "./deps";

export async function playbackToken(
  deps: Pick<Deps, "credentials" | "stream">,
  connectionId: string,
  playbackId: string,
  kind: PlaybackTokenKind = "video",
): Promise<string> {
  const api = await deps.credentials.api(connectionId);
  return api.signPlaybackId(playbackId, deps.stream.signedUrlTtlSeconds, kind);
}

/** A token of each audience a delivery's URLs need: the MP4 and text tracks (`v`), and each image kind. */
export async function playbackTokens(
  deps: Pick<Deps, "credentials" | "stream">,
  connectionId: string,
  playbackId: string,
): Promise<PlaybackTokens> {
  const sign = (kind: PlaybackTokenKind) => playbackToken(deps, connectionId, playbackId, kind);
  const [video, thumbnail, storyboard, gif] = await Promise.all([
    sign("video"),
    sign("thumbnail"),
    sign("storyboard"),
    sign("gif"),
  ]);
  return { video, thumbnail, storyboard, gif };
}
