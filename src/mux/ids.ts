/**
 * What a Mux id and a static rendition's file name may look like, stated once. Everything Mux (or
 * anything posing as Mux) sends is checked against these where it enters: an id or a name that
 * does not match is never used, so a storage key, a URL or a log line built from one cannot
 * carry a path separator, a dot segment, an escape or a control character.
 *
 * Mux's asset, playback, track and static rendition ids are base62 strings (mux-facts §2.1, the
 * fake's `muxId`: 44 characters today). The pattern also takes `-` and `_` after the first
 * character (the shape `mux://{asset_id}` always accepted), neither of which means anything to a
 * path, a URL or a terminal, and bounds the length at 255 as before. File names are
 * Mux's rendition names (`highest.mp4`, `capped-1080p.mp4`, `1080p.mp4`, `audio.m4a`, …):
 * lowercase words joined by single hyphens, then `.mp4` or `.m4a`. A text track's files are kept as
 * `{track id}.vtt` and `{track id}.txt`: a Mux id short enough (200) that the name and a temporary
 * suffix stay within a file system's 255 bytes.
 */
import { z } from "zod";

export const MUX_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
export const RENDITION_FILE_PATTERN = /^[a-z0-9]{1,32}(?:-[a-z0-9]{1,32}){0,3}\.(?:mp4|m4a)$/;
export const TRACK_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}\.(?:vtt|txt)$/;

/** An asset, playback, track or static rendition id as Mux makes them. */
export function isMuxId(value: unknown): value is string {
  return typeof value === "string" && MUX_ID_PATTERN.test(value);
}

/** A static rendition's file name as Mux serves it. */
export function isRenditionFileName(value: unknown): value is string {
  return typeof value === "string" && RENDITION_FILE_PATTERN.test(value);
}

/** A text track's stored file: its WebVTT (`.vtt`) or its transcript (`.txt`). */
export function isTrackFileName(value: unknown): value is string {
  return typeof value === "string" && TRACK_FILE_PATTERN.test(value);
}

export const muxIdSchema = z
  .string()
  .regex(MUX_ID_PATTERN, { message: "must be a Mux id (letters, digits, - and _, at most 255)" });

export const renditionFileNameSchema = z
  .string()
  .regex(RENDITION_FILE_PATTERN, { message: "must be a Mux rendition file name such as highest.mp4" });
