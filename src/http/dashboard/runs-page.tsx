/**
 * A sync's runs, newest first, a page at a time: each run's kind, status, counters, whether the
 * listing broke its order, its message (Mux's words, escaped like every text) and how long it took.
 */
import type { FC } from "hono/jsx";
import type { RunPage, RunPageView } from "../../resources/sync-runs";
import { ConsoleLayout, syncPath, syncRunsPath } from "./console-layout";
import type { Notice } from "./notices";
import { Time } from "./time";

/** A run's duration as a person reads it: `850 ms`, `42 s`, `3 min 5 s`, `2 h 10 min`. */
export function durationText(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${ms} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
}

const COUNTERS = [
  ["pages", "pages"],
  ["api_calls", "API calls"],
  ["assets_seen", "assets seen"],
  ["enqueued", "enqueued"],
  ["repaired", "repaired"],
  ["rechecked", "rechecked"],
  ["errors", "errors"],
] as const satisfies ReadonlyArray<readonly [keyof RunPageView, string]>;

/** The runs as a table (the sync's page shows its newest few with the same one). */
export const RunsTable: FC<{ runs: RunPageView[]; now: string | null; caption: string }> = ({
  runs,
  now,
  caption,
}) => (
  <table data-testid="runs">
    <caption>{caption}</caption>
    <thead>
      <tr>
        <th scope="col">run</th>
        <th scope="col">status</th>
        <th scope="col">started</th>
        <th scope="col">duration</th>
        {COUNTERS.map(([, label]) => (
          <th scope="col" class="num">
            {label}
          </th>
        ))}
        <th scope="col">order</th>
      </tr>
    </thead>
    <tbody>
      {runs.map((run) => (
        <tr data-testid={`run-${run.id}`}>
          <td>
            {run.kind} <code>{run.id}</code>
            {run.message && <div class="muted message">{run.message}</div>}
          </td>
          <td>
            <span class={`status ${run.status}`}>{run.status}</span>
          </td>
          <td>
            <Time iso={run.started_at} now={now} />
          </td>
          <td data-testid={`run-${run.id}-duration`}>{durationText(run.duration_ms)}</td>
          {COUNTERS.map(([key]) => (
            <td class="num" data-testid={`run-${run.id}-${key}`}>
              {run[key]}
            </td>
          ))}
          <td>{run.order_violation ? <span class="bad">not newest first: swept in full</span> : "kept"}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

export const RunsPage: FC<{
  bucketId: string;
  syncId: string;
  page: RunPage;
  cursor: string | undefined;
  csrf: string;
  notice: Notice | null;
  now: string | null;
}> = ({ bucketId, syncId, page, cursor, csrf, notice, now }) => (
  <ConsoleLayout title={`Runs of sync ${syncId}`} current="connections" csrf={csrf} notice={notice}>
    <p class="subtitle">
      <a href={syncPath(bucketId, syncId)}>Back to the sync</a>
    </p>
    {page.data.length === 0 ? (
      <p class="muted" data-testid="no-runs">
        No runs yet.
      </p>
    ) : (
      <RunsTable runs={page.data} now={now} caption="Runs, newest first" />
    )}
    <nav aria-label="Pages" class="pager">
      {cursor && <a href={syncRunsPath(bucketId, syncId)}>Newest first</a>}
      {page.has_more && page.next_cursor && (
        <a href={syncRunsPath(bucketId, syncId, page.next_cursor)} rel="next" data-testid="next-page">
          Next page
        </a>
      )}
    </nav>
  </ConsoleLayout>
);
