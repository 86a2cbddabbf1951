/**
 * The objects browser: a bucket's counts by state and reason (each a link to the filtered list),
 * the filter and search form (a GET form: the page is its URL), one page of objects newest change
 * first (or in search order), each linking to its story, and a link to the next page.
 */
import type { FC } from "hono/jsx";
import {
  DELETION_REASONS,
  FAILURE_REASONS,
  OBJECT_STATES,
  SKIP_REASONS,
  WAITING_REASONS,
} from "../../db/schema";
import {
  type ObjectBrowsePage,
  type ObjectBrowseQuery,
  SEARCH_FIELDS,
  type SearchField,
} from "../../resources/object-browser";
import { bucketObjectsPath, ConsoleLayout, label, objectPath } from "./console-layout";
import type { Notice } from "./notices";
import { Time } from "./time";

export const SEARCH_LABELS: Record<SearchField, string> = {
  asset_id: "asset id",
  title: "title",
  passthrough: "passthrough",
  external_id: "external id",
};

const REASONS = [...SKIP_REASONS, ...WAITING_REASONS, ...FAILURE_REASONS, ...DELETION_REASONS];

/** The query string of the browser for these filters (and a cursor): the one way its links are made. */
export function browserQuery(query: Omit<ObjectBrowseQuery, "limit">): URLSearchParams {
  const params = new URLSearchParams();
  if (query.search) {
    params.set("field", query.search.field);
    params.set("q", query.search.term);
  }
  if (query.state) params.set("state", query.state);
  if (query.reason) params.set("reason", query.reason);
  if (query.cursor) params.set("cursor", query.cursor);
  return params;
}

export const ObjectsPage: FC<{
  page: ObjectBrowsePage;
  query: ObjectBrowseQuery;
  buckets: Array<{ id: string; name: string }>;
  csrf: string;
  notice: Notice | null;
  now: string | null;
}> = ({ page, query, buckets, csrf, notice, now }) => {
  const bucketId = page.bucket.id;
  const filters = { ...query, cursor: undefined };
  const searched = query.search !== undefined || query.state !== undefined || query.reason !== undefined;
  return (
    <ConsoleLayout title={`Objects of ${page.bucket.name}`} current="objects" csrf={csrf} notice={notice}>
      {buckets.length > 1 && (
        <nav aria-label="Buckets" class="buckets">
          <ul class="nav">
            {buckets.map((b) => (
              <li>
                <a href={bucketObjectsPath(b.id)} aria-current={b.id === bucketId ? "page" : undefined}>
                  {b.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <section aria-labelledby="counts-title">
        <h2 id="counts-title">
          By state · <span data-testid="objects-total">{page.counts.total}</span> objects
        </h2>
        <ul class="states" data-testid="state-counts">
          {OBJECT_STATES.map((state) => (
            <li class={`state ${state}`}>
              <a href={bucketObjectsPath(bucketId, browserQuery({ state }))} data-testid={`state-${state}`}>
                <span class="count">{page.counts.by_state[state] ?? 0}</span>
                <span>{label(state)}</span>
              </a>
            </li>
          ))}
        </ul>
        {page.counts.by_reason.length > 0 && (
          <table class="reasons" data-testid="reason-counts">
            <caption>Skips, failures and deletions by reason</caption>
            <thead>
              <tr>
                <th scope="col">state</th>
                <th scope="col">reason</th>
                <th scope="col" class="num">
                  objects
                </th>
              </tr>
            </thead>
            <tbody>
              {page.counts.by_reason.map((r) => (
                <tr>
                  <td>{label(r.state)}</td>
                  <td>
                    <a
                      href={bucketObjectsPath(bucketId, browserQuery({ reason: r.reason }))}
                      data-testid={`reason-${r.reason}`}
                    >
                      {label(r.reason)}
                    </a>
                  </td>
                  <td class="num">{r.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <h2>Find objects</h2>
      <form method="get" action={bucketObjectsPath(bucketId)} class="filters" data-testid="filters">
        <div>
          <label for="field">Search by</label>
          <select id="field" name="field">
            {SEARCH_FIELDS.map((field) => (
              <option value={field} selected={(query.search?.field ?? "asset_id") === field}>
                {SEARCH_LABELS[field]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="q">starting with</label>
          <input id="q" name="q" type="search" maxlength={200} value={query.search?.term ?? ""} />
        </div>
        <div>
          <label for="state">State</label>
          <select id="state" name="state">
            <option value="">any state</option>
            {OBJECT_STATES.map((state) => (
              <option value={state} selected={query.state === state}>
                {label(state)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="reason">Reason</label>
          <select id="reason" name="reason">
            <option value="">any reason</option>
            {REASONS.map((reason) => (
              <option value={reason} selected={query.reason === reason}>
                {label(reason)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
        {searched && <a href={bucketObjectsPath(bucketId)}>clear</a>}
      </form>
      <p class="hint">
        Titles, passthrough and external ids match from their start, ignoring the case of A–Z; asset ids match
        from their start, exactly.
      </p>

      {page.data.length === 0 ? (
        <p class="muted" data-testid="no-objects">
          {page.has_more
            ? "None of the objects looked at so far matches: carry on to the next page."
            : "No object matches."}
        </p>
      ) : (
        <table data-testid="objects">
          <caption>{query.cursor ? "Objects (a later page)" : "Objects"}</caption>
          <thead>
            <tr>
              <th scope="col">asset</th>
              <th scope="col">title</th>
              <th scope="col">state</th>
              <th scope="col">reason</th>
              <th scope="col">message</th>
              <th scope="col">changed</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((o) => (
              <tr data-testid={`object-${o.asset_id}`}>
                <td>
                  <a href={objectPath(o.id)}>
                    <code>{o.asset_id}</code>
                  </a>
                </td>
                <td>{typeof o.metadata?.title === "string" ? o.metadata.title : "—"}</td>
                <td>
                  <span class={`status ${o.state}`}>{label(o.state)}</span>
                  {o.pending_deletion_at && <div class="muted">deletion held</div>}
                </td>
                <td>{o.reason ? label(o.reason) : "—"}</td>
                <td class="message">{o.message ?? ""}</td>
                <td>
                  <Time iso={o.updated_at} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages" class="pager">
        {query.cursor && <a href={bucketObjectsPath(bucketId, browserQuery(filters))}>First page</a>}
        {page.has_more && page.next_cursor && (
          <a
            href={bucketObjectsPath(bucketId, browserQuery({ ...filters, cursor: page.next_cursor }))}
            rel="next"
            data-testid="next-page"
          >
            Next page
          </a>
        )}
      </nav>
    </ConsoleLayout>
  );
};
