/**
 * An object's timeline on its story page, newest first: state changes (naming the pass whose
 * check made each, linked to the sync's runs), the webhooks Mux sent about its asset, and its
 * deliveries with every attempt's answer; a page at a time, with a link to the older entries.
 */
import type { FC } from "hono/jsx";
import type { ObjectStory } from "../../resources/object-story";
import type { AttemptView, TimelineEntry } from "../../resources/object-timeline";
import { label, objectPath, syncRunsPath } from "./console-layout";
import { Time } from "./time";

type Delivery = Extract<TimelineEntry, { kind: "delivery" }>;

/** A pass's id, linked to its sync's runs while the sync exists. */
export const PassLink: FC<{ story: ObjectStory; runId: string; testId?: string }> = ({
  story,
  runId,
  testId,
}) =>
  story.sync ? (
    <a href={syncRunsPath(story.bucket.id, story.sync.id)} data-testid={testId}>
      <code>{runId}</code>
    </a>
  ) : (
    <code>{runId}</code>
  );

const Attempts: FC<{ entry: Delivery; now: string | null }> = ({ entry, now }) =>
  entry.attempt_history.length === 0 ? null : (
    <ol class="attempts" reversed aria-label={`Attempts of delivery ${entry.id}, newest first`}>
      {entry.attempt_history.map((a: AttemptView) => (
        <li value={a.attempt} data-testid="attempt">
          attempt {a.attempt} · <Time iso={a.at} now={now} /> ·{" "}
          {a.status === null ? <span class="bad">no answer</span> : <>HTTP {a.status}</>}
          {a.error && <span class="bad"> · {a.error}</span>}
        </li>
      ))}
    </ol>
  );

const Entry: FC<{ entry: TimelineEntry; story: ObjectStory; now: string | null }> = ({
  entry,
  story,
  now,
}) => (
  <tr data-testid={`timeline-${entry.kind}`}>
    <td>
      <Time iso={entry.at} now={now} />
    </td>
    <td>
      {entry.kind === "state" ? "state change" : entry.kind === "webhook" ? "webhook from Mux" : "delivery"}
    </td>
    {entry.kind === "state" && (
      <td class="message">
        <strong>{label(entry.state)}</strong>
        {entry.reason && <> · {label(entry.reason)}</>}
        {entry.run_id && (
          <>
            {" "}
            · by pass <PassLink story={story} runId={entry.run_id} testId="timeline-pass" />
          </>
        )}
        {entry.message && <div>{entry.message}</div>}
      </td>
    )}
    {entry.kind === "webhook" && (
      <td class="message">
        <code>{entry.type}</code> · {entry.outcome} · event <code>{entry.event_id}</code>
      </td>
    )}
    {entry.kind === "delivery" && (
      <td class="message">
        <code>{entry.type}</code>
        {entry.reason && <> ({label(entry.reason)})</>} · v{entry.version} · <strong>{entry.status}</strong>{" "}
        after {entry.attempts} attempt{entry.attempts === 1 ? "" : "s"}
        {entry.last_status !== null && <> · last answer HTTP {entry.last_status}</>}
        {entry.delivered_at && (
          <>
            {" "}
            · delivered <Time iso={entry.delivered_at} now={now} />
          </>
        )}
        {entry.last_error && <div class="bad">{entry.last_error}</div>}
        <Attempts entry={entry} now={now} />
      </td>
    )}
  </tr>
);

export const Timeline: FC<{ story: ObjectStory; cursor: string | undefined; now: string | null }> = ({
  story,
  cursor,
  now,
}) => (
  <section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline{cursor ? " (older entries)" : ""}</h2>
    {story.timeline.length === 0 ? (
      <p class="muted">Nothing on record{cursor ? " before these" : ""}.</p>
    ) : (
      <table data-testid="timeline">
        <caption>
          State changes, webhooks received for the asset, and deliveries with their attempts, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">when</th>
            <th scope="col">what</th>
            <th scope="col">details</th>
          </tr>
        </thead>
        <tbody>
          {story.timeline.map((entry) => (
            <Entry entry={entry} story={story} now={now} />
          ))}
        </tbody>
      </table>
    )}
    <nav aria-label="Timeline pages" class="pager">
      {cursor && <a href={objectPath(story.object.id)}>Newest entries</a>}
      {story.older_cursor && (
        <a
          href={`${objectPath(story.object.id)}?cursor=${encodeURIComponent(story.older_cursor)}`}
          rel="next"
          data-testid="older"
        >
          Older entries
        </a>
      )}
    </nav>
  </section>
);
