/**
 * What an intercepted or forged Mux answer, or a bug, could put where an id or a file name goes
 * (an asset, playback or rendition id, a bucket id, a rendition file name): traversal in every
 * spelling, separators, NUL, look-alike dots, terminal escapes, bidi controls, overlong values,
 * names that are almost a rendition's, and arbitrary strings. Shared by every test of the id and
 * key boundary (unit, integration, workerd), so each sees the same hostile set.
 */
import fc from "fast-check";

export const HOSTILE_PART_EXAMPLES = [
  "",
  ".",
  "..",
  "x/../..",
  "../..",
  "../bkt_other",
  "a/b",
  "/etc",
  "a\\b",
  "a\\..\\..",
  "a\u0000b",
  "%2e%2e",
  "%2e%2e%2fx",
  "a%2f..",
  "\u2024\u2024",
  "\uff0e\uff0e",
  "\uff0e",
  "\u3002",
  "ａ",
  "a\u202eb",
  "ab\u001b[2J",
  "-rf",
  "x".repeat(256),
  "x".repeat(300),
  "low.mp4/../../x.mp4",
  "low.mp4/..",
  "../low.mp4",
  ".mp4",
  "LOW.MP4",
  "low.mp4 ",
  "low.mp4\u0000.txt",
] as const;

/** A hostile part: one of the examples, or an arbitrary string (binary code units, or unicode). */
export const hostilePart = fc.oneof(
  fc.constantFrom(...HOSTILE_PART_EXAMPLES),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 300 }),
);

/** Valid Mux ids as the fake and Mux make them. */
export const validMuxId = fc.stringMatching(/^[A-Za-z0-9]{1,44}$/);

/** Rendition file names Mux serves. */
export const validFileName = fc.constantFrom(
  "low.mp4",
  "highest.mp4",
  "capped-1080p.mp4",
  "1080p.mp4",
  "720p.mp4",
  "audio.m4a",
);
