/**
 * The stream.mux.com subset: `GET`/`HEAD /stream/:playback_id/:name` for MP4s that are ready,
 * with `Content-Length`, `Range` and signed-playback checks (against the signing key of the
 * asset's environment). Playback ids of every environment are served. Bytes are generated as
 * they are read, so a 1 GB file costs no memory.
 */
import { Hono } from "hono";
import type { AssetRecord } from "../asset-record";
import { verifyPlaybackToken } from "../playback-token";
import { parseRange, renditionStream } from "../rendition-bytes";
import { recordCall } from "../stats";
import type { FakeMuxWorld } from "../world";
import type { Sleep } from "./api";

const text = (status: number, message: string): Response =>
  new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

function readyFile(record: AssetRecord, name: string): AssetRecord["files"][number] | undefined {
  if (record.status !== "ready") return undefined;
  if (record.flavour.kind === "legacy" && record.flavour.status !== "ready") return undefined;
  return record.files.find((f) => f.name === name && f.status === "ready");
}

export function streamRoutes(world: FakeMuxWorld, sleep: Sleep): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    recordCall(world.stats, `${c.req.method} /stream/:playback_id/:name`, c.res.status);
  });

  // Hono answers HEAD with this GET handler and drops the body; the stream is never pulled.
  app.get("/stream/:playbackId/:name", async (c) => {
    const latency = world.faults.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    world.catchUp();
    const playbackId = c.req.param("playbackId");
    const name = c.req.param("name");
    const token = c.req.query("token");
    const found = world.byPlayback(playbackId);
    if (!found) return text(404, "Not Found");
    if (found.policy === "drm") return text(403, "DRM playback IDs cannot be used for static renditions");
    if (found.policy === "public" && token !== undefined) {
      return text(403, "A token was provided for a public playback ID");
    }
    if (found.policy === "signed") {
      if (!token) return text(403, "A signed playback ID requires a token");
      const check = await verifyPlaybackToken(token, {
        playbackId,
        keyId: found.env.signingKey.id,
        nowSeconds: Math.floor(world.clock.now() / 1000),
        key: await found.env.playbackKey(),
      });
      if (!check.ok) return text(403, `Invalid playback token: ${check.reason}`);
    }
    const file = readyFile(found.record, name);
    if (!file) return text(404, "Not Found");

    const size = file.filesize;
    const headers = new Headers({
      "content-type": file.ext === "m4a" ? "audio/mp4" : "video/mp4",
      "accept-ranges": "bytes",
      "cache-control": "public, max-age=31536000",
      etag: `"${playbackId.slice(0, 8)}-${name}-${size}"`,
    });
    const range = parseRange(c.req.header("range") ?? null, size);
    if (range === "unsatisfiable") {
      headers.set("content-range", `bytes */${size}`);
      return new Response(null, { status: 416, headers });
    }
    const { start, end } = range ?? { start: 0, end: size };
    headers.set("content-length", String(end - start));
    if (range) headers.set("content-range", `bytes ${start}-${end - 1}/${size}`);
    const status = range ? 206 : 200;
    if (c.req.method === "HEAD") return new Response(null, { status, headers });
    world.stats.downloads.requests++;
    const body = renditionStream(playbackId, name, start, end, (n) => {
      world.stats.downloads.bytes += n;
    });
    return new Response(body, { status, headers });
  });

  app.notFound(() => text(404, "Not Found"));
  return app;
}
