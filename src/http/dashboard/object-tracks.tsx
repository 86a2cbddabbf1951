/**
 * An object's tracks on its story page: the ready text tracks and the audio tracks the pipeline
 * is handed (names and languages come from Mux and are shown as text), and, when the sync waits
 * for captions, how that wait stands.
 */
import type { FC } from "hono/jsx";
import type { TrackRecord } from "../../db/documents";
import type { ObjectView } from "../../resources/views";
import { Time } from "./time";

function kindOf(track: TrackRecord): string {
  if (track.type === "audio") return track.primary ? "audio (primary)" : "audio";
  const kind = track.closed_captions ? "closed captions" : (track.text_type ?? "text");
  return track.text_source ? `${kind}, ${track.text_source}` : kind;
}

function storedOf(track: TrackRecord): string | null {
  if (track.type !== "text") return null;
  return [track.path, track.transcript_path].filter(Boolean).join(", ") || null;
}

export const Tracks: FC<{ object: ObjectView; now: string | null }> = ({ object, now }) => (
  <section aria-labelledby="tracks-title">
    <h2 id="tracks-title">Tracks</h2>
    {object.wait_for_since && !object.wait_for_expired_at && (
      <p class="hint">
        Waiting for captions since <Time iso={object.wait_for_since} now={now} />.
      </p>
    )}
    {object.wait_for_expired_at && (
      <p class="hint">
        Delivered without captions: the wait ended <Time iso={object.wait_for_expired_at} now={now} />.
      </p>
    )}
    {object.tracks.length === 0 ? (
      <p class="muted">No ready text track and no audio track.</p>
    ) : (
      <table data-testid="tracks">
        <caption>The tracks handed to the pipeline</caption>
        <thead>
          <tr>
            <th scope="col">track</th>
            <th scope="col">kind</th>
            <th scope="col">language</th>
            <th scope="col">name</th>
            <th scope="col">stored at</th>
          </tr>
        </thead>
        <tbody>
          {object.tracks.map((track) => (
            <tr>
              <td>
                <code>{track.id}</code>
              </td>
              <td>{kindOf(track)}</td>
              <td>{track.language_code ?? "—"}</td>
              <td>{track.name ?? "—"}</td>
              <td>{storedOf(track) ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);
