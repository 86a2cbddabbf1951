/**
 * Dashboard sessions and the sign-in rate limit, server-side. A session is a random id the
 * browser holds; the table keeps only its SHA-256, so a copy of the database opens no session.
 * A session ends at the first of: its idle timeout (no request for `SESSION_IDLE_MS`), its
 * absolute end (`SESSION_ABSOLUTE_MS` after sign-in), sign-out, or a change of `ADMIN_TOKEN`
 * (each row keeps a fingerprint of the token it was opened with, compared at every check).
 *
 * Sign-in attempts are counted before the token is compared, per client and in total, in fixed
 * windows: a client gets `SIGN_IN_ATTEMPTS_PER_CLIENT` failed attempts per window, everyone
 * together `SIGN_IN_ATTEMPTS_GLOBAL` (a floor against guessing spread over many addresses).
 * Counting first means concurrent guesses cannot all slip past one read of the count; a
 * successful sign-in gives its attempt back. Every write is one statement or one atomic batch.
 */
import { eq, lte, or, type SQL, sql } from "drizzle-orm";
import { adminSessions, signInFailures } from "../db/session-tables";
import { constantTimeEqual, sha256Hex } from "../lib/constant-time";
import type { Deps } from "../sync/deps";

/** A session with no request for this long has ended. */
export const SESSION_IDLE_MS = 60 * 60_000;
/** A session ends this long after sign-in, however busy. */
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
/** `last_seen_at` is written at most this often per session, not on every page view. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** The rate limit's window: counts start afresh this long after a window's first attempt. */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_ATTEMPTS_PER_CLIENT = 5;
export const SIGN_IN_ATTEMPTS_GLOBAL = 100;
/** Expired rows deleted per purge: a purge is one bounded batch, never a table scan's worth. */
export const PURGE_BATCH = 100;
/** The row counting every client's failures; client keys always carry a prefix, so never this. */
const GLOBAL_CLIENT = "*";
/** A session id as `openSession` makes it: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

type SessionDeps = Pick<Deps, "database" | "clock">;

export type OpenedSession = { id: string; expiresAt: number };
export type CheckedSession = { expiresAt: number; lastSeenAt: number };
export type SignInAdmission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Counts one sign-in attempt for `client` (and in total) before the token is compared; refused
 * when the client's or everyone's window is full. A full global window refuses without writing.
 */
export async function admitSignIn(deps: SessionDeps, input: { client: string }): Promise<SignInAdmission> {
  const now = deps.clock.now();
  const global = await failuresOf(deps, GLOBAL_CLIENT);
  if (global && isFull(global, SIGN_IN_ATTEMPTS_GLOBAL, now)) return refused(global, now);
  const results = await deps.database.atomic([
    purgeFailures(now),
    takeSlot(deps, input.client, SIGN_IN_ATTEMPTS_PER_CLIENT, now),
  ]);
  if (!results.at(-1)?.changed) return refused(await failuresOf(deps, input.client), now);
  const [globalSlot] = await deps.database.atomic([
    takeSlot(deps, GLOBAL_CLIENT, SIGN_IN_ATTEMPTS_GLOBAL, now),
  ]);
  if (!globalSlot?.changed) return refused(await failuresOf(deps, GLOBAL_CLIENT), now);
  return { admitted: true };
}

/**
 * Opens a session after a successful sign-in (one admitted by `admitSignIn`): a fresh random id,
 * never one the browser offered. The client's count is cleared, its attempt given back to the
 * global count, and expired rows purged, in the same batch.
 */
export async function openSession(
  deps: SessionDeps,
  input: { client: string; tokenFingerprint: string },
): Promise<OpenedSession> {
  const now = deps.clock.now();
  const id = randomSessionId();
  const expiresAt = now + SESSION_ABSOLUTE_MS;
  const { db } = deps.database;
  await deps.database.atomic([
    purgeSessions(now),
    db.delete(signInFailures).where(eq(signInFailures.client, input.client)),
    db
      .update(signInFailures)
      .set({ failures: sql`max(${signInFailures.failures} - 1, 0)` })
      .where(eq(signInFailures.client, GLOBAL_CLIENT)),
    db.insert(adminSessions).values({
      idHash: await sha256Hex(id),
      tokenFingerprint: input.tokenFingerprint,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
    }),
  ]);
  return { id, expiresAt };
}

/**
 * The session `id` names, if it is still open for the current token; touches it (throttled to
 * `SESSION_TOUCH_INTERVAL_MS`) when `activity` says a person acted, so that a page refreshing
 * itself in a forgotten tab does not hold the session open past its idle end. A session found
 * expired or opened with another token is deleted.
 */
export async function checkSession(
  deps: SessionDeps,
  input: { id: string; tokenFingerprint: string; activity: boolean },
): Promise<CheckedSession | null> {
  if (!SESSION_ID.test(input.id)) return null;
  const now = deps.clock.now();
  const idHash = await sha256Hex(input.id);
  const { db } = deps.database;
  const row = await db.select().from(adminSessions).where(eq(adminSessions.idHash, idHash)).get();
  if (!row) return null;
  const open =
    constantTimeEqual(row.tokenFingerprint, input.tokenFingerprint) &&
    now < row.expiresAt &&
    now < row.lastSeenAt + SESSION_IDLE_MS;
  if (!open) {
    await deps.database.atomic([db.delete(adminSessions).where(eq(adminSessions.idHash, idHash))]);
    return null;
  }
  if (!input.activity || now - row.lastSeenAt < SESSION_TOUCH_INTERVAL_MS)
    return { expiresAt: row.expiresAt, lastSeenAt: row.lastSeenAt };
  await deps.database.atomic([
    db.update(adminSessions).set({ lastSeenAt: now }).where(eq(adminSessions.idHash, idHash)),
  ]);
  return { expiresAt: row.expiresAt, lastSeenAt: now };
}

/** Ends the session `id` names (sign-out); an unknown or malformed id ends nothing. */
export async function closeSession(deps: SessionDeps, input: { id: string }): Promise<void> {
  if (!SESSION_ID.test(input.id)) return;
  const idHash = await sha256Hex(input.id);
  await deps.database.atomic([
    deps.database.db.delete(adminSessions).where(eq(adminSessions.idHash, idHash)),
  ]);
}

/** Deletes up to `PURGE_BATCH` ended sessions and as many finished rate-limit windows. */
export async function purgeExpired(deps: SessionDeps): Promise<{ sessions: number; failures: number }> {
  const now = deps.clock.now();
  // Each purge is one statement (atomic alone); RETURNING counts the rows it deleted itself.
  const { db } = deps.database;
  const sessions = await db.all(sql`${purgeSessions(now)} RETURNING 1 AS purged`);
  const failures = await db.all(sql`${purgeFailures(now)} RETURNING 1 AS purged`);
  return { sessions: sessions.length, failures: failures.length };
}

/** Sessions past either end: purged when a session opens (only a sign-in adds rows). */
function purgeSessions(now: number): SQL {
  return sql`DELETE FROM ${adminSessions} WHERE ${adminSessions.idHash} IN (SELECT ${adminSessions.idHash} FROM ${adminSessions} WHERE ${or(lte(adminSessions.expiresAt, now), lte(adminSessions.lastSeenAt, now - SESSION_IDLE_MS))} LIMIT ${PURGE_BATCH})`;
}

/** Finished windows: purged at every attempt (every attempt may add a row). */
function purgeFailures(now: number): SQL {
  return sql`DELETE FROM ${signInFailures} WHERE ${signInFailures.client} IN (SELECT ${signInFailures.client} FROM ${signInFailures} WHERE ${lte(signInFailures.windowStartedAt, now - SIGN_IN_WINDOW_MS)} LIMIT ${PURGE_BATCH})`;
}

/**
 * One attempt counted for `client` in a single upsert: a finished window starts afresh at one; a
 * full one changes nothing (0 rows changed is the refusal).
 */
function takeSlot(deps: SessionDeps, client: string, limit: number, now: number) {
  const ended = sql`${signInFailures.windowStartedAt} <= ${now - SIGN_IN_WINDOW_MS}`;
  return deps.database.db
    .insert(signInFailures)
    .values({ client, windowStartedAt: now, failures: 1 })
    .onConflictDoUpdate({
      target: signInFailures.client,
      set: {
        failures: sql`CASE WHEN ${ended} THEN 1 ELSE ${signInFailures.failures} + 1 END`,
        windowStartedAt: sql`CASE WHEN ${ended} THEN ${now} ELSE ${signInFailures.windowStartedAt} END`,
      },
      setWhere: sql`${ended} OR ${signInFailures.failures} < ${limit}`,
    });
}

type FailureRow = { windowStartedAt: number; failures: number };

async function failuresOf(deps: SessionDeps, client: string): Promise<FailureRow | undefined> {
  return await deps.database.db.select().from(signInFailures).where(eq(signInFailures.client, client)).get();
}

function isFull(row: FailureRow, limit: number, now: number): boolean {
  return now < row.windowStartedAt + SIGN_IN_WINDOW_MS && row.failures >= limit;
}

function refused(row: FailureRow | undefined, now: number): SignInAdmission {
  const endsAt = (row?.windowStartedAt ?? now) + SIGN_IN_WINDOW_MS;
  return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now) / 1000)) };
}

function randomSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}
