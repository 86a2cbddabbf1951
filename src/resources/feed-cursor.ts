/**
 * The object feed's cursor: the position of an object's latest change in `object_history`,
 * whose autoincrement id is handed out in commit order (SQLite and D1 have one writer). Unlike a
 * timestamp, it cannot tie or go backwards, so paging never skips a change made during the walk.
 * Opaque to clients: base64url of `h:<id>`.
 */
import { AppError } from "../lib/errors";

export function encodeFeedCursor(seq: number): string {
  return btoa(`h:${seq}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeFeedCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  let decoded = "";
  try {
    decoded = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    decoded = "";
  }
  const match = /^h:(\d{1,15})$/.exec(decoded);
  if (!match) {
    throw new AppError("VALIDATION", "cursor: not a cursor this API returned (use next_cursor as given)", {
      details: [{ field: "cursor", message: "not a cursor this API returned (use next_cursor as given)" }],
    });
  }
  return Number(match[1]);
}
