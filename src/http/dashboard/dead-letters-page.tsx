/**
 * The dead letters: a filter form (GET), the jobs that spent every attempt with their last error
 * and the object they concern, a replay and a purge form per row, and one replay for everything
 * the filter selects (bounded per click, like the API's bulk replay).
 */
import type { FC } from "hono/jsx";
import type { DeadLetterFilter, DeadLetterPage } from "../../resources/views";
import { CONSOLE_PATHS, ConsoleLayout, objectPath } from "./console-layout";
import type { Notice } from "./notices";
import { Time } from "./time";

export const DEAD_LETTER_TYPES = ["ingest", "download", "deliver", "reconcile"] as const;

/** The page's query string for a filter (and a cursor): the one way its links and redirects are made. */
export function deadLettersQuery(filter: DeadLetterFilter & { cursor?: string }): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["type", "bucket_id", "sync_id", "error", "cursor"] as const) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  return params;
}

export function deadLettersPath(filter: DeadLetterFilter & { cursor?: string } = {}): string {
  const query = deadLettersQuery(filter).toString();
  return query ? `${CONSOLE_PATHS.deadLetters}?${query}` : CONSOLE_PATHS.deadLetters;
}

/** The filter as hidden fields, so an action can come back to the same list. */
const FilterFields: FC<{ filter: DeadLetterFilter }> = ({ filter }) => (
  <>
    {(["type", "bucket_id", "sync_id", "error"] as const).map((key) =>
      filter[key] ? <input type="hidden" name={key} value={filter[key]} /> : null,
    )}
  </>
);

export const DeadLettersPage: FC<{
  page: DeadLetterPage;
  filter: DeadLetterFilter;
  cursor: string | undefined;
  buckets: Array<{ id: string; name: string }>;
  csrf: string;
  notice: Notice | null;
  now: string | null;
}> = ({ page, filter, cursor, buckets, csrf, notice, now }) => (
  <ConsoleLayout title="Dead letters" current="dead_letters" csrf={csrf} notice={notice}>
    <p class="hint">
      Jobs that spent every attempt. A replay runs the work again: an ingest is revived, a failed object's
      delivery or download becomes the object's retry (read from Mux again, delivered afresh), a pass becomes
      a new pass. A purge only removes the dead job; the object keeps its state.
    </p>
    <form method="get" action={CONSOLE_PATHS.deadLetters} class="filters" data-testid="dead-filters">
      <div>
        <label for="type">Type</label>
        <select id="type" name="type">
          <option value="">any type</option>
          {DEAD_LETTER_TYPES.map((type) => (
            <option value={type} selected={filter.type === type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="bucket_id">Bucket</label>
        <select id="bucket_id" name="bucket_id">
          <option value="">any bucket</option>
          {buckets.map((b) => (
            <option value={b.id} selected={filter.bucket_id === b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="sync_id">Sync id</label>
        <input id="sync_id" name="sync_id" maxlength={100} value={filter.sync_id ?? ""} />
      </div>
      <div>
        <label for="error">Error contains</label>
        <input id="error" name="error" type="search" maxlength={200} value={filter.error ?? ""} />
      </div>
      <button type="submit">Show</button>
    </form>
    {page.data.length > 0 && (
      <form method="post" action="/dashboard/dead-letters/replay" class="bulk">
        <input type="hidden" name="csrf" value={csrf} />
        <FilterFields filter={filter} />
        <button type="submit" data-testid="replay-matching">
          Replay every dead letter this filter selects (up to 100)
        </button>
      </form>
    )}
    {page.data.length === 0 ? (
      <p class="muted" data-testid="no-dead-letters">
        {page.has_more
          ? "None of the dead letters looked at so far matches: carry on to the next page."
          : "No dead letters."}
      </p>
    ) : (
      <table data-testid="dead-letters">
        <caption>Dead letters, newest first</caption>
        <thead>
          <tr>
            <th scope="col">job</th>
            <th scope="col">concerns</th>
            <th scope="col">last error</th>
            <th scope="col">attempts</th>
            <th scope="col">died</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {page.data.map((letter) => (
            <tr data-testid={`dead-${letter.id}`}>
              <td>
                {letter.type} <code>{letter.id}</code>
              </td>
              <td>
                {letter.object ? (
                  <a href={objectPath(letter.object.id)}>
                    <code>{letter.object.asset_id}</code>
                  </a>
                ) : letter.sync_id ? (
                  <>
                    sync <code>{letter.sync_id}</code>
                  </>
                ) : (
                  "—"
                )}
                {letter.object && (
                  <div class="muted">
                    {letter.object.state}
                    {letter.object.reason ? ` · ${letter.object.reason}` : ""}
                  </div>
                )}
              </td>
              <td class="message">{letter.last_error ?? ""}</td>
              <td class="num">
                {letter.attempts} / {letter.max_attempts}
              </td>
              <td>
                <Time iso={letter.died_at} now={now} />
              </td>
              <td class="row-actions">
                <form method="post" action="/dashboard/dead-letters/replay-one" class="inline">
                  <input type="hidden" name="csrf" value={csrf} />
                  <input type="hidden" name="job_id" value={letter.id} />
                  <FilterFields filter={filter} />
                  <button
                    type="submit"
                    data-testid={`replay-${letter.id}`}
                    aria-label={`Replay ${letter.id}`}
                  >
                    Replay
                  </button>
                </form>{" "}
                <form method="post" action="/dashboard/dead-letters/purge" class="inline">
                  <input type="hidden" name="csrf" value={csrf} />
                  <input type="hidden" name="job_id" value={letter.id} />
                  <FilterFields filter={filter} />
                  <button type="submit" data-testid={`purge-${letter.id}`} aria-label={`Purge ${letter.id}`}>
                    Purge
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    <nav aria-label="Pages" class="pager">
      {cursor && <a href={deadLettersPath(filter)}>Newest first</a>}
      {page.has_more && page.next_cursor && (
        <a href={deadLettersPath({ ...filter, cursor: page.next_cursor })} rel="next" data-testid="next-page">
          Next page
        </a>
      )}
    </nav>
  </ConsoleLayout>
);
