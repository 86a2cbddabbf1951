/**
 * The dashboard's markup: server-rendered Hono JSX over one `Overview` read, no front-end build
 * and no script. It refreshes itself with a meta refresh when asked to (a timed refresh nobody
 * asked for is a barrier to people who read slowly or use a screen reader); the only inputs are the token form and
 * one retry button per failed object. Secrets appear only as their masks. Nothing is inline (the
 * stylesheet is `/assets/dashboard.css`), so the strict CSP holds; notices are fixed texts
 * (`notices.ts`), never words from the request.
 */
import type { FC } from "hono/jsx";
import { OBJECT_STATES } from "../../db/schema";
import { type Overview, waitingNote } from "../../resources/overview";
import { DASHBOARD_CSS_PATH } from "../assets";
import { bucketObjectsPath, CONSOLE_PATHS, ConsoleNav, objectPath } from "./console-layout";
import { LOGIN_MESSAGES, type LoginMessage, type Notice } from "./notices";
import { AUTO_REFRESH_PARAM } from "./session";
import { SuspensionActions } from "./suspension-actions";
import { Time } from "./time";

export const REFRESH_SECONDS = 10;

const Layout: FC<{ title: string; refresh?: boolean; children?: unknown }> = ({
  title,
  refresh,
  children,
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      {/* Back to "/" so a one-off notice in the query string does not stick. */}
      {refresh && <meta http-equiv="refresh" content={`${REFRESH_SECONDS};url=/?${AUTO_REFRESH_PARAM}=1`} />}
      <title>{title}</title>
      <link rel="stylesheet" href={DASHBOARD_CSS_PATH} />
    </head>
    <body>{children}</body>
  </html>
);

export const LoginPage: FC<{ error?: LoginMessage; notice?: Notice | null; disabled?: string }> = ({
  error,
  notice,
  disabled,
}) => (
  <Layout title="mux-ingest · sign in">
    <main class="login">
      <h1>mux-ingest</h1>
      {notice && (
        <p class={`notice ${notice.kind}`} data-testid="notice">
          {notice.text}
        </p>
      )}
      {disabled ? (
        <p class="bad">{disabled}</p>
      ) : (
        <form method="post" action="/dashboard/login">
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required />
          <button type="submit">Open the dashboard</button>
          {error && (
            <p class="bad" data-testid="login-error">
              {LOGIN_MESSAGES[error]}
            </p>
          )}
          <p class="hint">
            The token is ADMIN_TOKEN. The browser keeps a random session id, not the token; the session ends
            after an hour without use, twelve hours after sign-in, on sign-out or when the token changes.
          </p>
        </form>
      )}
    </main>
  </Layout>
);

/** What a changed or lost ENCRYPTION_KEY put out of service: named, never with a secret. */
const UnopenableNotice: FC<{ unopenable: Overview["unopenable"] }> = ({ unopenable }) => {
  const { connections, buckets } = unopenable;
  if (connections.length === 0 && buckets.length === 0) return null;
  const names = (list: Array<{ id: string; name: string }>) =>
    list.map((x) => `${x.name} (${x.id})`).join(", ");
  return (
    <p class="notice bad" data-testid="unopenable">
      Secrets sealed under another ENCRYPTION_KEY cannot be opened
      {connections.length > 0 && <> · connections: {names(connections)}</>}
      {buckets.length > 0 && <> · buckets: {names(buckets)}</>}. They are out of service until their secrets
      are supplied again or re-sealed with <code>mux-ingest rekey --from-key &lt;old key&gt;</code>.
    </p>
  );
};

/** Asks for the overview to refresh itself (a person's click: it counts as activity). */
export const REFRESH_ON_PARAM = "refresh";

export const DashboardPage: FC<{
  overview: Overview;
  csrf: string;
  notice: Notice | null;
  refreshing?: boolean;
}> = ({ overview: o, csrf, notice, refreshing = false }) => (
  <Layout title="mux-ingest · dashboard" refresh={refreshing}>
    <a class="skip" href="#main">
      Skip to the content
    </a>
    <header>
      <h1>mux-ingest</h1>
      <ConsoleNav current="overview" />
      <span class="muted">
        updated <Time iso={o.generated_at} now={o.generated_at} /> ·{" "}
        {refreshing ? (
          <>
            refreshes every {REFRESH_SECONDS}s (<a href="/">stop</a>)
          </>
        ) : (
          <a href={`/?${REFRESH_ON_PARAM}=on`}>refresh every {REFRESH_SECONDS}s</a>
        )}
      </span>
      <form method="post" action="/dashboard/logout" class="inline">
        <input type="hidden" name="csrf" value={csrf} />
        <button type="submit" class="link">
          sign out
        </button>
      </form>
    </header>
    <main id="main">
      {notice && (
        <p class={`notice ${notice.kind}`} data-testid="notice">
          {notice.text}
        </p>
      )}
      <UnopenableNotice unopenable={o.unopenable} />

      <h2>Connections</h2>
      <table data-testid="connections">
        <thead>
          <tr>
            <th>name</th>
            <th>id</th>
            <th>token id</th>
            <th>secret</th>
            <th>webhook secrets</th>
            <th>last test</th>
          </tr>
        </thead>
        <tbody>
          {o.connections.map((c) => (
            <tr data-testid={`connection-${c.id}`}>
              <td>{c.name}</td>
              <td>
                <code>{c.id}</code>
              </td>
              <td>
                <code>{c.access_token_id}</code>
              </td>
              <td>
                <code>{c.access_token_secret ?? "—"}</code>
              </td>
              <td>{c.webhook_secrets.length > 0 ? c.webhook_secrets.join(", ") : "none"}</td>
              <td>
                {c.last_test ? (
                  <span class={c.last_test.success ? "good" : "bad"} data-testid={`connection-${c.id}-test`}>
                    {c.last_test.success ? "✓ " : "✗ "}
                    {c.last_test.message} (<Time iso={c.last_test.at} now={o.generated_at} />)
                  </span>
                ) : (
                  <span class="muted">never tested</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Syncs</h2>
      <table data-testid="syncs">
        <thead>
          <tr>
            <th>sync</th>
            <th>bucket</th>
            <th>mode</th>
            <th>state</th>
            <th>last run</th>
            <th>next run</th>
            <th>pages</th>
            <th>seen</th>
            <th>enqueued</th>
            <th>repaired</th>
            <th>rechecked</th>
            <th>errors</th>
          </tr>
        </thead>
        <tbody>
          {o.syncs.map((s) => {
            const run = s.last_run;
            const cell = (name: string, value: number | undefined) => (
              <td class="num" data-testid={`sync-${s.id}-${name}`}>
                {value ?? "—"}
              </td>
            );
            return (
              <tr data-testid={`sync-${s.id}`}>
                <td>
                  <code>{s.id}</code>
                  <div class="muted">{s.source_path}</div>
                </td>
                <td>{s.bucket_name}</td>
                <td>{s.sync_mode}</td>
                <td>
                  <span class={`status ${s.status}`} data-testid={`sync-${s.id}-status`}>
                    {s.status}
                  </span>
                  {s.status_reason && <div class="muted">{s.status_reason}</div>}
                  <SuspensionActions sync={s} csrf={csrf} />
                </td>
                <td>
                  {run ? (
                    <>
                      {run.kind} · <span data-testid={`sync-${s.id}-run-status`}>{run.status}</span> ·{" "}
                      <Time iso={run.started_at} now={o.generated_at} />
                      {run.message && <div class="muted">{run.message}</div>}
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  <Time iso={s.next_run_at} now={o.generated_at} />
                </td>
                {cell("pages", run?.pages)}
                {cell("assets_seen", run?.assets_seen)}
                {cell("enqueued", run?.enqueued)}
                {cell("repaired", run?.repaired)}
                {cell("rechecked", run?.rechecked)}
                {cell("errors", run?.errors)}
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2>Objects</h2>
      {o.buckets.map((b) => (
        <section class="bucket" data-testid={`bucket-${b.id}`}>
          <h3>
            {b.name} <code>{b.id}</code> · <span data-testid={`bucket-${b.id}-total`}>{b.total}</span> objects
            · <a href={bucketObjectsPath(b.id)}>browse them</a>
          </h3>
          <div class="states">
            {OBJECT_STATES.map((state) => (
              <div class={`state ${state}`}>
                <a href={bucketObjectsPath(b.id, new URLSearchParams({ state }))}>
                  <span class="count" data-testid={`count-${b.id}-${state}`}>
                    {b.by_state[state] ?? 0}
                  </span>
                  <span>{state.replaceAll("_", " ")}</span>
                </a>
              </div>
            ))}
          </div>
          {b.by_reason.some((r) => r.reason || waitingNote(r.state, r.reason)) && (
            <table class="reasons">
              <thead>
                <tr>
                  <th>state</th>
                  <th>reason</th>
                  <th>count</th>
                </tr>
              </thead>
              <tbody>
                {b.by_reason
                  .filter((r) => r.reason || waitingNote(r.state, r.reason))
                  .map((r) => (
                    <tr data-testid={`reason-${b.id}-${r.state}-${r.reason ?? "none"}`}>
                      <td>{r.state}</td>
                      <td>
                        {r.reason ?? "—"}
                        {waitingNote(r.state, r.reason) && (
                          <span class="muted"> · waiting for {waitingNote(r.state, r.reason)}</span>
                        )}
                      </td>
                      <td class="num">{r.count}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </section>
      ))}

      <h2>Recent failures</h2>
      {o.recent_failures.length === 0 ? (
        <p class="muted" data-testid="no-failures">
          No failed objects.
        </p>
      ) : (
        <table data-testid="failures">
          <thead>
            <tr>
              <th>asset</th>
              <th>bucket</th>
              <th>reason</th>
              <th>message</th>
              <th>when</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {o.recent_failures.map((f) => (
              <tr data-testid={`failure-${f.asset_id}`}>
                <td>
                  <a href={objectPath(f.id)}>
                    <code>{f.asset_id}</code>
                  </a>
                </td>
                <td>
                  <code>{f.bucket_id}</code>
                </td>
                <td>{f.reason}</td>
                <td class="message">{f.message}</td>
                <td>
                  <Time iso={f.state_changed_at} now={o.generated_at} />
                </td>
                <td>
                  <form method="post" action="/dashboard/retry">
                    <input type="hidden" name="bucket_id" value={f.bucket_id} />
                    <input type="hidden" name="asset_id" value={f.asset_id} />
                    <input type="hidden" name="csrf" value={csrf} />
                    <button type="submit" data-testid={`retry-${f.asset_id}`}>
                      Retry
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Queue</h2>
      <p data-testid="queue">
        {(["pending", "running", "done", "dead"] as const).map((status) => (
          <span class={`pill ${status}`}>
            {status} <strong data-testid={`queue-${status}`}>{o.queue[status]}</strong>
            {status === "dead" && o.queue.dead > 0 && <a href={CONSOLE_PATHS.deadLetters}> see them</a>}
          </span>
        ))}
      </p>

      <h2>Recent webhooks</h2>
      {o.recent_webhooks.length === 0 ? (
        <p class="muted">No webhooks received yet.</p>
      ) : (
        <table data-testid="webhooks">
          <thead>
            <tr>
              <th>received</th>
              <th>type</th>
              <th>asset</th>
              <th>outcome</th>
            </tr>
          </thead>
          <tbody>
            {o.recent_webhooks.map((w) => (
              <tr>
                <td>
                  <Time iso={w.received_at} now={o.generated_at} />
                </td>
                <td>{w.type}</td>
                <td>
                  <code>{w.asset_id ?? "—"}</code>
                </td>
                <td>{w.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  </Layout>
);
