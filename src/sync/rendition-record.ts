/** The rendition record kept on an object, from a resolved candidate. */
import type { RenditionRecord } from "../db/schema";
import type { RenditionCandidate } from "../mux/renditions";

/** The unsigned stream URL; signed ids get their `?token=` when the URL is used. */
export function renditionRecord(
  streamBaseUrl: string,
  playbackId: string,
  file: RenditionCandidate,
): RenditionRecord {
  return {
    name: file.name,
    url: `${streamBaseUrl}/${encodeURIComponent(playbackId)}/${encodeURIComponent(file.name)}`,
    width: file.width,
    height: file.height,
    bitrate: file.bitrate,
    filesize: file.filesize,
  };
}
