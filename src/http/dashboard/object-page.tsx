/**
 * An object's story: what it is now and why, in plain words, with what can be done (retry,
 * re-deliver, create the MP4 now: forms with the session's CSRF value), where it is in Mux and in
 * the API, its rendition, metadata, the passes and jobs that touched it, and the timeline
 * (`object-timeline.tsx`), a page at a time.
 * Everything that came from Mux or a pipeline is text in the markup, escaped by the JSX renderer.
 */
import type { FC } from "hono/jsx";
import type { MuxRenditions } from "../../resources/object-in-mux";
import type { ObjectStory } from "../../resources/object-story";
import { bucketObjectsPath, ConsoleLayout, label, objectPath } from "./console-layout";
import type { Notice } from "./notices";
import { Rendition } from "./object-rendition";
import { PassLink, Timeline } from "./object-timeline";
import { Tracks } from "./object-tracks";
import { Time } from "./time";

export function apiPathOf(story: ObjectStory): string {
  return `/v1/buckets/${encodeURIComponent(story.bucket.id)}/objects/${encodeURIComponent(story.object.asset_id)}`;
}

const Hidden: FC<{ csrf: string; objectId: string }> = ({ csrf, objectId }) => (
  <>
    <input type="hidden" name="csrf" value={csrf} />
    <input type="hidden" name="object_id" value={objectId} />
  </>
);

const Meaning: FC<{ story: ObjectStory; csrf: string; now: string | null }> = ({ story, csrf, now }) => {
  const o = story.object;
  const reason = story.meaning.reason;
  return (
    <section class="story" aria-labelledby="now-title" data-testid="meaning">
      <h2 id="now-title">
        Now: <span class={`status ${o.state}`}>{label(o.state)}</span>
        {o.reason && <> · {label(o.reason)}</>}
      </h2>
      <p data-testid="state-sentence">{story.meaning.state}</p>
      {reason && (
        <>
          <p data-testid="reason-what">{reason.what}</p>
          <p>
            <strong>What to do:</strong> <span data-testid="reason-fix">{reason.fix}</span>
          </p>
        </>
      )}
      {o.message && (
        <p class="message">
          <strong>Last message:</strong> <span data-testid="object-message">{o.message}</span>
        </p>
      )}
      {o.pending_deletion_at && (
        <p class="notice bad">
          Mux answers 404 for this asset, and the deletion guard holds its deletion (since{" "}
          <Time iso={o.pending_deletion_at} now={now} />) until a person confirms it on the overview.
        </p>
      )}
      <div class="actions" data-testid="actions">
        {story.actions.retry && (
          <form method="post" action="/dashboard/object-retry" class="inline">
            <Hidden csrf={csrf} objectId={o.id} />
            <button type="submit" data-testid="retry">
              Retry: read it from Mux again
            </button>
          </form>
        )}
        {story.actions.redeliver && (
          <form method="post" action="/dashboard/object-redeliver" class="inline">
            <Hidden csrf={csrf} objectId={o.id} />
            <button type="submit" data-testid="redeliver">
              Re-deliver its newest delivery
            </button>
          </form>
        )}
        {story.actions.create_mp4 && (
          <form method="post" action="/dashboard/object-create-mp4" class="inline">
            <Hidden csrf={csrf} objectId={o.id} />
            <button type="submit" data-testid="create-mp4">
              Create the MP4 now: ask Mux for {story.sync?.create_renditions.join(", ")}
            </button>
          </form>
        )}
        {o.reason === "no_static_renditions" && !story.actions.create_mp4 && (
          <p class="hint" data-testid="mp4-hint">
            No MP4: enable MP4 support (static renditions) on the asset in Mux, or set create_renditions on
            the sync so mux-ingest asks Mux for one; the asset is looked at again when Mux says a rendition is
            ready.
          </p>
        )}
      </div>
    </section>
  );
};

const Links: FC<{ story: ObjectStory; readMux: boolean }> = ({ story, readMux }) => (
  <ul class="links" data-testid="links">
    <li>
      <a href={`${objectPath(story.object.id)}/mux-dashboard`} data-testid="mux-dashboard">
        Open the asset in the Mux dashboard
      </a>
      {story.environment && (
        <span class="muted">
          {" "}
          environment {story.environment.name ?? ""} <code>{story.environment.id}</code>
        </span>
      )}
    </li>
    <li>
      {readMux ? (
        <a href={objectPath(story.object.id)}>Hide the renditions in Mux</a>
      ) : (
        <a href={`${objectPath(story.object.id)}?mux=renditions`} data-testid="read-mux">
          Read its renditions from Mux now
        </a>
      )}
    </li>
    <li>
      API resource: <code data-testid="api-path">GET {apiPathOf(story)}</code>
    </li>
    <li>
      <a href={bucketObjectsPath(story.bucket.id)}>All objects of {story.bucket.name}</a>
      {story.sync && (
        <span class="muted">
          {" "}
          · sync <code>{story.sync.id}</code> ({story.sync.status}
          {story.sync.suspension ? `, ${label(story.sync.suspension)}` : ""})
        </span>
      )}
    </li>
  </ul>
);

const METADATA_FIELDS = [
  "title",
  "passthrough",
  "external_id",
  "creator_id",
  "duration",
  "aspect_ratio",
  "resolution_tier",
  "created_at",
] as const;

const Metadata: FC<{ story: ObjectStory }> = ({ story }) => {
  const metadata = story.object.metadata ?? {};
  return (
    <section aria-labelledby="metadata-title">
      <h2 id="metadata-title">Metadata</h2>
      <dl class="facts" data-testid="metadata">
        {METADATA_FIELDS.map((field) => (
          <>
            <dt>{label(field)}</dt>
            <dd class="message">
              {metadata[field] === null || metadata[field] === undefined ? "—" : String(metadata[field])}
            </dd>
          </>
        ))}
        <dt>discovered via</dt>
        <dd>{story.object.discovered_via}</dd>
        <dt>version</dt>
        <dd>{story.object.version}</dd>
      </dl>
    </section>
  );
};

const PASS_ROLES: Record<ObjectStory["passes"][number]["roles"][number], string> = {
  listed: "last listed the asset",
  queued: "queued its latest ingest",
  changed: "its check changed the object (see the timeline)",
};

const Work: FC<{ story: ObjectStory; now: string | null }> = ({ story, now }) => (
  <section aria-labelledby="work-title">
    <h2 id="work-title">Passes and jobs</h2>
    {story.passes.length === 0 ? (
      <p class="muted">No pass is on record for this asset.</p>
    ) : (
      <table data-testid="passes">
        <caption>Passes that touched it</caption>
        <thead>
          <tr>
            <th scope="col">pass</th>
            <th scope="col">role</th>
            <th scope="col">kind · status</th>
            <th scope="col">started</th>
            <th scope="col">finished</th>
            <th scope="col">message</th>
          </tr>
        </thead>
        <tbody>
          {story.passes.map((p) => (
            <tr>
              <td>
                <PassLink story={story} runId={p.id} />
              </td>
              <td>{p.roles.map((role) => PASS_ROLES[role]).join("; ")}</td>
              <td>
                {p.kind} · {p.status}
              </td>
              <td>
                <Time iso={p.started_at} now={now} />
              </td>
              <td>
                <Time iso={p.finished_at} now={now} />
              </td>
              <td class="message">{p.message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    {story.jobs.length > 0 && (
      <table data-testid="jobs">
        <caption>Jobs working on it</caption>
        <thead>
          <tr>
            <th scope="col">job</th>
            <th scope="col">status</th>
            <th scope="col">attempts</th>
            <th scope="col">last error</th>
            <th scope="col">changed</th>
          </tr>
        </thead>
        <tbody>
          {story.jobs.map((j) => (
            <tr>
              <td>
                {j.type} <code>{j.id}</code>
              </td>
              <td>{j.status === "dead" ? <a href="/dashboard/dead-letters">dead</a> : j.status}</td>
              <td class="num">
                {j.attempts} / {j.max_attempts}
              </td>
              <td class="message">{j.last_error ?? ""}</td>
              <td>
                <Time iso={j.updated_at} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

export const ObjectPage: FC<{
  story: ObjectStory;
  mux: MuxRenditions | null;
  cursor: string | undefined;
  csrf: string;
  notice: Notice | null;
  now: string | null;
}> = ({ story, mux, cursor, csrf, notice, now }) => {
  const title = story.object.metadata?.title;
  return (
    <ConsoleLayout title={`Asset ${story.object.asset_id}`} current="objects" csrf={csrf} notice={notice}>
      {typeof title === "string" && title !== "" && (
        <p class="subtitle" data-testid="object-title">
          {title}
        </p>
      )}
      <Meaning story={story} csrf={csrf} now={now} />
      <Links story={story} readMux={mux !== null} />
      <Rendition story={story} mux={mux} />
      <Tracks object={story.object} now={now} />
      <Metadata story={story} />
      <Work story={story} now={now} />
      <Timeline story={story} cursor={cursor} now={now} />
    </ConsoleLayout>
  );
};
