/**
 * Who may fetch a playback id's files, as both of Mux's delivery hosts decide it: an unknown id
 * is a 404; a DRM id serves none of these files; a public id refuses any token; a signed id needs
 * a valid token of the audience of what is asked for (`v` on the stream host, `t`/`s`/`g` on the
 * image host), checked against its environment's signing key.
 */
import type { AssetRecord } from "../asset-record";
import type { FakeMuxCore } from "../core";
import { type PlaybackAudience, verifyPlaybackToken } from "../playback-token";
import type { FakeMuxWorld } from "../world";

export const text = (status: number, message: string): Response =>
  new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

export type PlaybackAccess =
  | { ok: true; record: AssetRecord; env: FakeMuxCore }
  | { ok: false; response: Response };

export async function checkPlaybackAccess(
  world: FakeMuxWorld,
  request: { playbackId: string; token: string | undefined; audience: PlaybackAudience; what: string },
): Promise<PlaybackAccess> {
  const { playbackId, token } = request;
  const found = world.byPlayback(playbackId);
  const refuse = (status: number, message: string): PlaybackAccess => ({
    ok: false,
    response: text(status, message),
  });
  if (!found) return refuse(404, "Not Found");
  if (found.policy === "drm") return refuse(403, `DRM playback IDs cannot be used for ${request.what}`);
  if (found.policy === "public" && token !== undefined) {
    return refuse(403, "A token was provided for a public playback ID");
  }
  if (found.policy === "signed") {
    if (!token) return refuse(403, "A signed playback ID requires a token");
    const check = await verifyPlaybackToken(token, {
      playbackId,
      keyId: found.env.signingKey.id,
      nowSeconds: Math.floor(world.clock.now() / 1000),
      key: await found.env.playbackKey(),
      audience: request.audience,
    });
    if (!check.ok) return refuse(403, `Invalid playback token: ${check.reason}`);
  }
  return { ok: true, record: found.record, env: found.env };
}
