/**
 * The dashboard's sign-in tables: server-side sessions and the sign-in rate limit's counts.
 * Written only by `src/resources/sessions.ts`.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Dashboard sign-ins. The cookie carries a random id; only its SHA-256 is stored, so a copy of the
 * database opens no session. `token_fingerprint` ties the session to the `ADMIN_TOKEN` it was
 * opened with: a changed token ends every session.
 */
export const adminSessions = sqliteTable(
  "admin_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    tokenFingerprint: text("token_fingerprint").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    /** The absolute end; the idle end is `last_seen_at` plus the idle timeout. */
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("admin_sessions_expires_idx").on(t.expiresAt)],
);

/** Failed dashboard sign-ins per client in the current window: the rate limit's count. */
export const signInFailures = sqliteTable("sign_in_failures", {
  client: text("client").primaryKey(),
  windowStartedAt: integer("window_started_at").notNull(),
  failures: integer("failures").notNull().default(0),
});
