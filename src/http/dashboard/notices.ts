/**
 * What the dashboard may say in a one-off notice: a closed set of codes with fixed texts. The
 * query string after a form post names a code (`?notice=retry_queued`, `?error=retry&code=CONFLICT`),
 * never words, so nobody can put their own text on our page through a link; anything outside
 * the set shows nothing. The details of a refusal go to the service log.
 */
import type { AppError, ErrorCode } from "../../lib/errors";

export const NOTICES = {
  retry_queued: "Retry queued: the object is ingested again.",
  repinned: "The connection is pinned to the environment its token reaches; its syncs run again.",
  deletions_confirmed: "The held deletions were confirmed.",
  resumed: "The sync resumed; the held deletions were released.",
  signed_out: "Signed out.",
  redelivery_queued: "Re-delivery queued: the object's newest delivery goes to the pipeline again.",
  mp4_requested:
    "Queued: the asset is read from Mux again and the sync's create_renditions are asked for; the timeline shows Mux's answer.",
  dead_letter_replayed: "Replayed: the work runs again.",
  dead_letter_purged: "The dead letter was purged.",
  dead_letters_replayed:
    "The matching dead letters were replayed (at most 100 per click; those that could not run stay listed).",
  connection_test_passed:
    "Tested: Mux accepted the connection's credentials (its last test shows what they reach).",
  connection_test_failed: "Tested: Mux did not accept the connection's credentials; its last test says why.",
} as const;

export type NoticeCode = keyof typeof NOTICES;

/** The dashboard's actions, by the code a refusal names them with. */
export const ACTIONS = {
  retry: "retry",
  repin: "re-pin",
  confirm: "confirmation",
  resume: "resume",
  redeliver: "re-delivery",
  create_mp4: "MP4 request",
  replay: "replay",
  purge: "purge",
  bulk_replay: "replay of the matching dead letters",
  test: "connection test",
} as const;

export type ActionCode = keyof typeof ACTIONS;

export const REFUSALS: Record<ErrorCode, string> = {
  BAD_REQUEST: "the form was incomplete",
  VALIDATION: "the form was incomplete",
  UNAUTHORIZED: "it was not authorised",
  FORBIDDEN: "it is not allowed",
  NOT_FOUND: "what it names no longer exists",
  CONFLICT: "it conflicts with the current state",
  PAYLOAD_TOO_LARGE: "the form was too large",
  UNSUPPORTED_MEDIA_TYPE: "the form was not sent as a form",
  RATE_LIMITED: "Mux asked us to slow down",
  UPSTREAM: "Mux could not be reached",
  UPSTREAM_AUTH: "Mux refused the connection's token",
  DISABLED: "the feature is disabled",
  CONFIG: "the configuration is incomplete",
  INTERNAL: "an internal error",
};

/** What the sign-in page may say. */
export const LOGIN_MESSAGES = {
  wrong_token: "That is not the admin token.",
  rate_limited: "Too many failed sign-ins: wait a few minutes, then try again.",
  signed_out: "Your session has ended: sign in again.",
  forged: "That form did not come from this dashboard: reload the page and try again.",
} as const;

export type LoginMessage = keyof typeof LOGIN_MESSAGES;

export type Notice = { kind: "good" | "bad"; text: string };

function has<T extends object>(set: T, key: string | undefined): key is Extract<keyof T, string> {
  return key !== undefined && Object.hasOwn(set, key);
}

/** The notice a query names, or null: only codes of the closed sets above are ever shown. */
export function noticeOf(query: (name: string) => string | undefined): Notice | null {
  const notice = query("notice");
  if (has(NOTICES, notice)) return { kind: "good", text: NOTICES[notice] };
  const action = query("error");
  if (!has(ACTIONS, action)) return null;
  const code = query("code");
  const why = has(REFUSALS, code) ? REFUSALS[code] : REFUSALS.INTERNAL;
  return {
    kind: "bad",
    text: `The ${ACTIONS[action]} was refused: ${why}. The service log has the details.`,
  };
}

/** Where a refused action sends the browser: the action and the error's code, nothing else. */
export function refusalQuery(action: ActionCode, err: unknown): string {
  const code = (err as Partial<AppError> | null)?.code;
  return `error=${action}&code=${has(REFUSALS, code) ? code : "INTERNAL"}`;
}
