/**
 * An object's rendition on its story page: the one chosen, the download's fallbacks in the order
 * tried, and, when a person asked, every static rendition Mux lists now with its status.
 */
import type { FC } from "hono/jsx";
import type { MuxRenditions } from "../../resources/object-in-mux";
import type { ObjectStory } from "../../resources/object-story";

function size(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

function dimensions(width: number | null, height: number | null): string {
  return width !== null && height !== null ? `${width}×${height}` : "—";
}

export const Rendition: FC<{ story: ObjectStory; mux: MuxRenditions | null }> = ({ story, mux }) => {
  const r = story.object.rendition;
  return (
    <section aria-labelledby="rendition-title">
      <h2 id="rendition-title">Rendition</h2>
      {r ? (
        <dl class="facts" data-testid="rendition">
          <dt>chosen</dt>
          <dd>
            <code>{r.name}</code> · {dimensions(r.width, r.height)} · {size(r.filesize)}
          </dd>
          <dt>from</dt>
          <dd class="message">
            <code>{r.url}</code>
          </dd>
          {r.path && (
            <>
              <dt>stored at</dt>
              <dd>
                <code>{r.path}</code>
              </dd>
            </>
          )}
          <dt>playback</dt>
          <dd>
            <code>{story.object.playback_id ?? "—"}</code> ({story.object.playback_policy ?? "—"})
          </dd>
        </dl>
      ) : (
        <p class="muted">No rendition is chosen.</p>
      )}
      {story.download_candidates.length > 0 && (
        <table data-testid="candidates">
          <caption>The download's choice and fallbacks, in the order tried</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">file</th>
              <th scope="col">size</th>
              <th scope="col">dimensions</th>
            </tr>
          </thead>
          <tbody>
            {story.download_candidates.map((c, i) => (
              <tr>
                <td class="num">{i + 1}</td>
                <td>
                  <code>{c.name}</code>
                </td>
                <td>{size(c.filesize)}</td>
                <td>{dimensions(c.width, c.height)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mux && <MuxFiles mux={mux} chosen={r?.name ?? null} />}
    </section>
  );
};

const MuxFiles: FC<{ mux: MuxRenditions; chosen: string | null }> = ({ mux, chosen }) => {
  if (!mux.ok)
    return (
      <p class="notice bad" data-testid="mux-renditions">
        {mux.message}
      </p>
    );
  return (
    <div data-testid="mux-renditions">
      <p>
        In Mux now: asset {mux.asset_status ?? "—"} · static renditions {mux.aggregate_status ?? "—"}
        {mux.mp4_support && <> · mp4_support {mux.mp4_support}</>}
      </p>
      {mux.note && <p class="hint">{mux.note}</p>}
      {mux.files.length > 0 && (
        <table>
          <caption>
            Every static rendition Mux lists, with the order the sync would try the ready ones in
          </caption>
          <thead>
            <tr>
              <th scope="col">file</th>
              <th scope="col">status</th>
              <th scope="col">resolution</th>
              <th scope="col">size</th>
              <th scope="col">tried</th>
            </tr>
          </thead>
          <tbody>
            {mux.files.map((f) => (
              <tr>
                <td>
                  <code>{f.name}</code>
                  {f.name === chosen && <strong> (chosen)</strong>}
                </td>
                <td>{f.status ?? `${mux.aggregate_status ?? "—"} (asset-wide)`}</td>
                <td>{f.resolution ?? dimensions(f.width, f.height)}</td>
                <td>{size(f.filesize)}</td>
                <td>{f.order === null ? "not tried" : `#${f.order}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
};
