/**
 * A sync's page: its health and suspension (with the action that clears it), its connection
 * (pinned environment, last test, "test now"), its settings, its newest runs (with a link to
 * all of them) and its bucket's objects by state, each linking to the filtered browser.
 */
import type { FC } from "hono/jsx";
import { OBJECT_STATES } from "../../db/schema";
import type { SyncConsole } from "../../resources/sync-console";
import { EnvironmentLine, HealthLine, LastTest, TestNowForm } from "./connections-page";
import { bucketObjectsPath, ConsoleLayout, syncRunsPath } from "./console-layout";
import type { Notice } from "./notices";
import { RunsTable } from "./runs-page";
import { SuspensionActions } from "./suspension-actions";
import { Time } from "./time";

const list = (values: string[] | null) => (values && values.length > 0 ? values.join(", ") : "none");

export const SyncPage: FC<{ view: SyncConsole; csrf: string; notice: Notice | null; now: string | null }> = ({
  view,
  csrf,
  notice,
  now,
}) => {
  const { sync, connection } = view;
  return (
    <ConsoleLayout title={`Sync ${sync.id}`} current="connections" csrf={csrf} notice={notice}>
      <p class="subtitle">
        fills bucket {sync.bucket_name} <code>{sync.bucket_id}</code>
      </p>
      <dl class="facts" data-testid="sync-status">
        <dt>Status</dt>
        <dd>
          <span class={`status ${sync.status}`} data-testid={`sync-${sync.id}-status`}>
            {sync.status}
          </span>
          {sync.status_reason && <div class="muted message">{sync.status_reason}</div>}
        </dd>
        <dt>Health</dt>
        <dd>
          <HealthLine health={sync.health} testid={`sync-${sync.id}-health`} />
        </dd>
        <dt>Next pass</dt>
        <dd>
          <Time iso={sync.next_run_at} now={now} />
        </dd>
      </dl>
      <div class="actions">
        <SuspensionActions sync={sync} csrf={csrf} back="sync" />
      </div>

      <h2>Connection</h2>
      <dl class="facts" data-testid="sync-connection">
        <dt>Connection</dt>
        <dd>
          {connection.name} <code>{connection.id}</code>
        </dd>
        <dt>Mux environment</dt>
        <dd>
          <EnvironmentLine connection={connection} />
        </dd>
        <dt>Last test</dt>
        <dd>
          <LastTest connection={connection} now={now} />
        </dd>
      </dl>
      <div class="actions">
        <TestNowForm
          connection={connection}
          csrf={csrf}
          back="sync"
          bucketId={sync.bucket_id}
          syncId={sync.id}
        />
      </div>

      <h2>Settings</h2>
      <dl class="facts" data-testid="sync-settings">
        <dt>Source path</dt>
        <dd>
          <code>{sync.source_path}</code>
        </dd>
        <dt>Mode</dt>
        <dd>{sync.sync_mode}</dd>
        <dt>Polling interval</dt>
        <dd>{sync.polling_interval_seconds} s</dd>
        <dt>Filters</dt>
        <dd>
          <code data-testid="sync-filters">{JSON.stringify(sync.file_filters)}</code>
        </dd>
        <dt>Rendition preference</dt>
        <dd>{list(sync.rendition_preference)}</dd>
        <dt>Create renditions</dt>
        <dd data-testid="sync-create-renditions">
          {list(sync.create_renditions)}
          {sync.remove_created_renditions ? " (removed once delivered)" : ""}
        </dd>
        <dt>Wait for</dt>
        <dd data-testid="sync-wait-for">
          {list(sync.wait_for)}
          {sync.wait_for.length > 0 ? ` (at most ${sync.wait_for_grace_seconds} s)` : ""}
        </dd>
      </dl>

      <h2>Last runs</h2>
      {view.runs.length === 0 ? (
        <p class="muted">No runs yet.</p>
      ) : (
        <RunsTable runs={view.runs} now={now} caption="Newest runs" />
      )}
      <p>
        <a href={syncRunsPath(sync.bucket_id, sync.id)} data-testid="all-runs">
          All runs of this sync
        </a>
      </p>

      <h2>Objects</h2>
      <p class="hint">
        {view.bucket_shared
          ? "Counts of the whole bucket, which other syncs fill too."
          : "Counts of the bucket this sync fills."}{" "}
        <span data-testid="sync-objects-total">{view.counts.total}</span> objects.
      </p>
      <ul class="states">
        {OBJECT_STATES.map((state) => (
          <li class={`state ${state}`}>
            <a href={bucketObjectsPath(sync.bucket_id, new URLSearchParams({ state }))}>
              <span class="count" data-testid={`sync-count-${state}`}>
                {view.counts.by_state[state] ?? 0}
              </span>
              <span>{state.replaceAll("_", " ")}</span>
            </a>
          </li>
        ))}
      </ul>
    </ConsoleLayout>
  );
};
