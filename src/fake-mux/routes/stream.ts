/**
 * The stream.mux.com subset: `GET`/`HEAD /stream/:playback_id/:name` for MP4s that are ready,
 * with `Content-Length`, `Range` and signed-playback checks (against the signing key of the
 * asset's environment), and `/stream/:playback_id/text/:track_id.vtt|.txt` for ready text tracks
 * (the transcript of generated ones only), with the same checks (`aud: v`). Playback ids of every
 * environment are served. MP4 bytes are generated as they are read, so a 1 GB file costs no memory.
 */
import { Hono } from "hono";
import type { AssetRecord } from "../asset-record";
import { transcriptText, webVttText } from "../delivery-files";
import { parseRange, renditionStream } from "../rendition-bytes";
import { recordCall } from "../stats";
import type { FakeMuxWorld } from "../world";
import type { Sleep } from "./api";
import { checkPlaybackAccess, text } from "./playback-access";

function readyFile(record: AssetRecord, name: string): AssetRecord["files"][number] | undefined {
  if (record.status !== "ready") return undefined;
  if (record.flavour.kind === "legacy" && record.flavour.status !== "ready") return undefined;
  return record.files.find((f) => f.name === name && f.status === "ready");
}

export function streamRoutes(world: FakeMuxWorld, sleep: Sleep): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    const route = c.req.path.split("/")[3] === "text" ? "text/:file" : ":name";
    recordCall(world.stats, `${c.req.method} /stream/:playback_id/${route}`, c.res.status);
  });

  app.get("/stream/:playbackId/text/:file", async (c) => {
    const latency = world.faults.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    world.catchUp();
    const access = await checkPlaybackAccess(world, {
      playbackId: c.req.param("playbackId"),
      token: c.req.query("token"),
      audience: "v",
      what: "text tracks",
    });
    if (!access.ok) return access.response;
    const match = /^(.+)\.(vtt|txt)$/.exec(c.req.param("file"));
    const track = access.record.textTracks.find((t) => t.id === match?.[1] && t.status === "ready");
    if (!match || !track || access.record.status !== "ready") return text(404, "Not Found");
    if (match[2] === "txt") {
      if (track.textSource !== "generated_vod") return text(404, "Not Found");
      return new Response(transcriptText(access.record, track), {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    return new Response(webVttText(access.record, track), { headers: { "content-type": "text/vtt" } });
  });

  // Hono answers HEAD with this GET handler and drops the body; the stream is never pulled.
  app.get("/stream/:playbackId/:name", async (c) => {
    const latency = world.faults.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    world.catchUp();
    const playbackId = c.req.param("playbackId");
    const name = c.req.param("name");
    const access = await checkPlaybackAccess(world, {
      playbackId,
      token: c.req.query("token"),
      audience: "v",
      what: "static renditions",
    });
    if (!access.ok) return access.response;
    const file = readyFile(access.record, name);
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
