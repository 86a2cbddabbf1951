/**
 * Opaque cursors for the console's listings (objects, dead letters, an object's timeline): the
 * position a page stopped at, as base64url of a small JSON array whose first element names the
 * walk it belongs to. A cursor of another walk, or anything this service did not hand out, is a
 * VALIDATION error naming the field, never a guess.
 */
import { AppError } from "../lib/errors";

/** What a position may hold: the walk's tag first, then numbers and strings. */
export type CursorParts = readonly [string, ...Array<string | number>];

type CursorValues<T extends ReadonlyArray<"string" | "number">> = {
  -readonly [K in keyof T]: T[K] extends "number" ? number : string;
};

/** Cursors stay short enough for a URL (a title is at most a few hundred characters). */
const MAX_CURSOR_CHARS = 2_000;

export function encodePageCursor(parts: CursorParts): string {
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function refused(field: string): AppError {
  const message = "not a cursor this page handed out (follow its links as given)";
  return new AppError("VALIDATION", `${field}: ${message}`, { details: [{ field, message }] });
}

/**
 * The parts of a cursor of walk `tag` whose remaining elements have the given types, or throws
 * VALIDATION naming `field`.
 */
export function decodePageCursor<const T extends ReadonlyArray<"string" | "number">>(
  cursor: string,
  tag: string,
  shape: T,
  field = "cursor",
): CursorValues<T> {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw refused(field);
  let parsed: unknown;
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw refused(field);
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== tag) throw refused(field);
  const rest = parsed.slice(1);
  shape.forEach((type, i) => {
    const value: unknown = rest[i];
    const ok =
      type === "number"
        ? typeof value === "number" && Number.isSafeInteger(value)
        : typeof value === "string";
    if (!ok) throw refused(field);
  });
  return rest as CursorValues<T>;
}
