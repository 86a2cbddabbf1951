/** Tokens for signed playback ids, signed with the connection's key when a URL is used (never stored). */
import type { Deps } from "./deps";

export async function playbackToken(
  deps: Pick<Deps, "credentials" | "stream">,
  connectionId: string,
  playbackId: string,
): Promise<string> {
  const api = await deps.credentials.api(connectionId);
  return api.signPlaybackId(playbackId, deps.stream.signedUrlTtlSeconds);
}
