/**
 * What a person can do about a suspended sync, as forms under its status: re-pin the
 * connection when its token reaches another Mux environment; confirm the deletions the guard
 * held, or resume without them. Each form carries the session's CSRF value.
 */
import type { FC } from "hono/jsx";
import type { SyncView } from "../../resources/views";

export const SuspensionActions: FC<{ sync: SyncView; csrf: string }> = ({ sync, csrf }) => {
  const hidden = (
    <>
      <input type="hidden" name="csrf" value={csrf} />
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
  return null;
};
