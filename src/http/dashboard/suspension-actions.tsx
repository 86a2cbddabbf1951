/**
 * What a person can do about a suspended sync, as forms under its status: re-pin the
 * connection when its token reaches another Mux environment; confirm the deletions the guard
 * held, or resume without them; resume a sync whose passes kept failing once the cause is fixed.
 * Each form carries the session's CSRF value, and `back` (the page to come back to, one of
 * `ACTION_PAGES`, built from the form's checked ids) when it is not the overview.
 */
import type { FC } from "hono/jsx";
import type { SyncView } from "../../resources/views";

/** The pages a suspension action may come back to besides the overview. */
export const ACTION_PAGES = ["sync", "connections"] as const;
export type ActionPage = (typeof ACTION_PAGES)[number];

export const SuspensionActions: FC<{ sync: SyncView; csrf: string; back?: ActionPage }> = ({
  sync,
  csrf,
  back,
}) => {
  const hidden = (
    <>
      <input type="hidden" name="csrf" value={csrf} />
      {back && <input type="hidden" name="back" value={back} />}
      <input type="hidden" name="bucket_id" value={sync.bucket_id} />
      <input type="hidden" name="sync_id" value={sync.id} />
      <input type="hidden" name="connection_id" value={sync.connection_id} />
    </>
  );
  if (sync.suspension === "environment_changed") {
    return (
      <form method="post" action="/dashboard/repin" class="inline" data-testid={`sync-${sync.id}-repin`}>
        {hidden}
        <button type="submit">Re-pin to the token's environment</button>
      </form>
    );
  }
  if (sync.suspension === "deletion_guard") {
    return (
      <div class="actions">
        <form method="post" action="/dashboard/confirm-deletions" class="inline">
          {hidden}
          <button type="submit" data-testid={`sync-${sync.id}-confirm-deletions`}>
            Confirm the held deletions
          </button>
        </form>
        <form method="post" action="/dashboard/resume" class="inline">
          {hidden}
          <button type="submit" data-testid={`sync-${sync.id}-resume`}>
            Resume without deleting
          </button>
        </form>
      </div>
    );
  }
  if (sync.suspension === "failing") {
    return (
      <form method="post" action="/dashboard/resume" class="inline">
        {hidden}
        <button type="submit" data-testid={`sync-${sync.id}-resume`}>
          Resume (the cause is fixed)
        </button>
      </form>
    );
  }
  return null;
};
