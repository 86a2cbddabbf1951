/**
 * The connections and their syncs: each connection's pinned Mux environment, its last test (when,
 * whether it passed, Mux's words), its health and a "test now" button; under it each sync with
 * its health, its suspension and the action that clears it, and a link to its page. Everything
 * from Mux (environment names, test messages) is rendered as text, never markup.
 */
import type { FC } from "hono/jsx";
import type { ConnectionsConsole, Health } from "../../resources/sync-console";
import type { ConnectionView } from "../../resources/views";
import { ConsoleLayout, syncPath } from "./console-layout";
import type { Notice } from "./notices";
import { type ActionPage, SuspensionActions } from "./suspension-actions";
import { Time } from "./time";

export const HealthLine: FC<{ health: Health; testid: string }> = ({ health, testid }) => (
  <span class={health.ok ? "good" : "bad"} data-testid={testid}>
    {health.ok ? "✓ " : "✗ "}
    {health.text}
  </span>
);

export const EnvironmentLine: FC<{ connection: ConnectionView }> = ({ connection }) =>
  connection.environment ? (
    <span data-testid={`connection-${connection.id}-environment`}>
      {connection.environment.name ?? "(unnamed)"} <code>{connection.environment.id}</code>
    </span>
  ) : (
    <span class="muted">not pinned yet</span>
  );

export const LastTest: FC<{ connection: ConnectionView; now: string | null }> = ({ connection, now }) =>
  connection.last_test ? (
    <span data-testid={`connection-${connection.id}-test`}>
      <span class={connection.last_test.success ? "good" : "bad"}>
        {connection.last_test.success ? "passed" : "failed"}
      </span>
      , <Time iso={connection.last_test.at} now={now} />
      <div class="muted message">{connection.last_test.message ?? ""}</div>
    </span>
  ) : (
    <span class="muted">never tested</span>
  );

/** "Test now": asks Mux at once and records the answer as the connection's last test. */
export const TestNowForm: FC<{
  connection: ConnectionView;
  csrf: string;
  back: ActionPage;
  bucketId?: string;
  syncId?: string;
}> = ({ connection, csrf, back, bucketId, syncId }) => (
  <form method="post" action="/dashboard/connection-test" class="inline">
    <input type="hidden" name="csrf" value={csrf} />
    <input type="hidden" name="connection_id" value={connection.id} />
    <input type="hidden" name="back" value={back} />
    {bucketId && <input type="hidden" name="bucket_id" value={bucketId} />}
    {syncId && <input type="hidden" name="sync_id" value={syncId} />}
    <button
      type="submit"
      data-testid={`connection-${connection.id}-test-now`}
      aria-label={`Test now: ${connection.name}`}
    >
      Test now
    </button>
  </form>
);

export const ConnectionsPage: FC<{
  view: ConnectionsConsole;
  csrf: string;
  notice: Notice | null;
  now: string | null;
}> = ({ view, csrf, notice, now }) => (
  <ConsoleLayout title="Connections and syncs" current="connections" csrf={csrf} notice={notice}>
    {view.connections.length === 0 && <p class="muted">No connection exists yet.</p>}
    {view.connections.map((connection) => (
      <section
        class="story"
        data-testid={`connection-${connection.id}`}
        aria-labelledby={`h-${connection.id}`}
      >
        <h2 id={`h-${connection.id}`}>
          {connection.name} <code>{connection.id}</code>
        </h2>
        <dl class="facts">
          <dt>Mux environment</dt>
          <dd>
            <EnvironmentLine connection={connection} />
          </dd>
          <dt>Token id</dt>
          <dd>
            <code>{connection.access_token_id}</code>
          </dd>
          <dt>Last test</dt>
          <dd>
            <LastTest connection={connection} now={now} />
          </dd>
          <dt>Health</dt>
          <dd>
            <HealthLine health={connection.health} testid={`connection-${connection.id}-health`} />
          </dd>
        </dl>
        <div class="actions">
          <TestNowForm connection={connection} csrf={csrf} back="connections" />
        </div>
        {connection.syncs.length === 0 ? (
          <p class="muted">No sync uses this connection.</p>
        ) : (
          <table data-testid={`connection-${connection.id}-syncs`}>
            <caption>Syncs using {connection.name}</caption>
            <thead>
              <tr>
                <th scope="col">sync</th>
                <th scope="col">bucket</th>
                <th scope="col">status</th>
                <th scope="col">health</th>
                <th scope="col">last run</th>
                <th scope="col">action</th>
              </tr>
            </thead>
            <tbody>
              {connection.syncs.map((sync) => (
                <tr data-testid={`sync-${sync.id}`}>
                  <td>
                    <a href={syncPath(sync.bucket_id, sync.id)}>
                      <code>{sync.id}</code>
                    </a>
                    <div class="muted">{sync.source_path}</div>
                  </td>
                  <td>{sync.bucket_name}</td>
                  <td>
                    <span class={`status ${sync.status}`} data-testid={`sync-${sync.id}-status`}>
                      {sync.status}
                    </span>
                    {sync.status_reason && <div class="muted message">{sync.status_reason}</div>}
                  </td>
                  <td>
                    <HealthLine health={sync.health} testid={`sync-${sync.id}-health`} />
                  </td>
                  <td>
                    {sync.last_run ? (
                      <>
                        {sync.last_run.kind} · {sync.last_run.status} ·{" "}
                        <Time iso={sync.last_run.started_at} now={now} />
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    <SuspensionActions sync={sync} csrf={csrf} back="connections" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    ))}
  </ConsoleLayout>
);
