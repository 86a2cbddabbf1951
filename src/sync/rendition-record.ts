/** The rendition record kept on an object, from a resolved candidate. */
import type { RenditionRecord } from "../db/documents";
import type { RenditionCandidate } from "../mux/renditions";
import { streamUrl } from "../mux/stream";

/** The unsigned stream URL; signed ids get their `?token=` when the URL is used. */
export function renditionRecord(
  streamBaseUrl: string,
  playbackId: string,
  file: RenditionCandidate,
): RenditionRecord {
  return {
    name: file.name,
    url: streamUrl({ baseUrl: streamBaseUrl, playbackId, name: file.name }),
    width: file.width,
    height: file.height,
    bitrate: file.bitrate,
    filesize: file.filesize,
  };
}
