/**
 * The image.mux.com subset, under `/image`: `GET`/`HEAD /image/:playback_id/thumbnail.jpg`,
 * `storyboard.vtt` and `animated.gif` of a ready asset with video, each with its own token
 * audience for a signed playback id (`t`, `s`, `g`: a token of another audience, the video's
 * `v` included, is refused with 403). Options (`?time=`, `width=`) are not modelled.
 */
import { Hono } from "hono";
import { ANIMATED_GIF, storyboardText, THUMBNAIL_JPEG } from "../delivery-files";
import type { PlaybackAudience } from "../playback-token";
import { recordCall } from "../stats";
import type { FakeMuxWorld } from "../world";
import type { Sleep } from "./api";
import { checkPlaybackAccess, text } from "./playback-access";

const IMAGES: Record<string, { audience: PlaybackAudience; contentType: string }> = {
  "thumbnail.jpg": { audience: "t", contentType: "image/jpeg" },
  "storyboard.vtt": { audience: "s", contentType: "text/vtt" },
  "animated.gif": { audience: "g", contentType: "image/gif" },
};

export function imageRoutes(world: FakeMuxWorld, sleep: Sleep): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    recordCall(world.stats, `${c.req.method} /image/:playback_id/:file`, c.res.status);
  });

  app.get("/image/:playbackId/:file", async (c) => {
    const latency = world.faults.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    world.catchUp();
    const playbackId = c.req.param("playbackId");
    const image = IMAGES[c.req.param("file")];
    if (!image) return text(404, "Not Found");
    const access = await checkPlaybackAccess(world, {
      playbackId,
      token: c.req.query("token"),
      audience: image.audience,
      what: "images",
    });
    if (!access.ok) return access.response;
    const { record } = access;
    // Nothing to picture before the asset is ready, nor for an audio-only asset.
    if (record.status !== "ready" || !record.source.hasVideo) return text(404, "Not Found");
    const body = c.req.param("file") === "storyboard.vtt" ? storyboardText(record, playbackId) : null;
    const bytes =
      body ?? (c.req.param("file") === "thumbnail.jpg" ? THUMBNAIL_JPEG.slice() : ANIMATED_GIF.slice());
    return new Response(bytes, { headers: { "content-type": image.contentType } });
  });

  app.notFound(() => text(404, "Not Found"));
  return app;
}
