/**
 * What the fake's delivery hosts serve besides MP4s: small, real files derived from the asset,
 * so a test can check it got the right one. A text track's WebVTT and a generated track's
 * transcript (stream host); a thumbnail (the smallest valid JPEG), a storyboard (WebVTT naming
 * tiles of a storyboard image) and an animated GIF (a 1×1 GIF89a) (image host).
 */
import type { AssetRecord, TextTrack } from "./asset-record";

/** Cues every 10 s over the asset's duration, at most 60: enough to look real, small to serve. */
function cueTimes(record: AssetRecord): Array<[number, number]> {
  const duration = Math.max(1, Math.floor(record.source.duration));
  const times: Array<[number, number]> = [];
  for (let start = 0; start < duration && times.length < 60; start += 10) {
    times.push([start, Math.min(duration, start + 10)]);
  }
  return times;
}

function timestamp(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.000`;
}

function cueText(record: AssetRecord, track: TextTrack, index: number): string {
  return `[${track.languageCode}] ${record.meta?.title ?? record.id}, line ${index + 1}`;
}

export function webVttText(record: AssetRecord, track: TextTrack): string {
  const cues = cueTimes(record).map(
    ([start, end], i) =>
      `${i + 1}\n${timestamp(start)} --> ${timestamp(end)}\n${cueText(record, track, i)}\n`,
  );
  return `WEBVTT\n\n${cues.join("\n")}`;
}

export function transcriptText(record: AssetRecord, track: TextTrack): string {
  return `${cueTimes(record)
    .map((_, i) => cueText(record, track, i))
    .join("\n")}\n`;
}

/** A storyboard: one 256×144 tile per 10 s of a storyboard image beside it. */
export function storyboardText(record: AssetRecord, playbackId: string): string {
  const cues = cueTimes(record).map(([start, end], i) => {
    const x = (i % 5) * 256;
    const y = Math.floor(i / 5) * 144;
    return `${timestamp(start)} --> ${timestamp(end)}\n${playbackId}/storyboard.jpg#xywh=${x},${y},256,144\n`;
  });
  return `WEBVTT\n\n${cues.join("\n")}`;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const clean = hex.replace(/\s+/g, "");
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** A minimal valid JPEG (1×1, arithmetic coded, a flat quantisation table): SOI … EOI. */
export const THUMBNAIL_JPEG = hexBytes(
  `FFD8 FFDB0043 00 ${"01".repeat(64)} FFC9000B080001000101011100 FFCC000600101005 FFDA0008010100003F00 D2CF20 FFD9`,
);

/** A 1×1 GIF89a. */
export const ANIMATED_GIF = hexBytes(`
  47494638396101000100800000FFFFFF00000021F90401000000002C00000000010001000002024401003B`);
