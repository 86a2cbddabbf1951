/**
 * stream.mux.com, where a playback id's static renditions are served, `{base}/{playback_id}/{name}`,
 * and its text tracks, `{base}/{playback_id}/text/{track_id}.vtt` (WebVTT) and `….txt` (the
 * transcript of a generated track), each with `?token=` for a signed playback id (`aud: v`, and
 * only then: a token on a public id makes Mux refuse the URL). This module is the one builder of
 * stream-host URLs, for probes, records, downloads and deliveries alike.
 */

export type StreamTarget = {
  /** e.g. `https://stream.mux.com`; a trailing slash is tolerated. */
  baseUrl: string;
  playbackId: string;
  /** The rendition's file name (`low.mp4`, `highest.mp4`, `audio.m4a`…). */
  name: string;
  /** A signed playback id's JWT (`aud: v`); omitted for public ids. */
  token?: string | null;
};

export function streamUrl(target: StreamTarget): string {
  return hostUrl(target.baseUrl, target.playbackId, [target.name], target.token);
}

/** `vtt`: the track's WebVTT; `txt`: the plain-text transcript Mux makes of a generated track. */
export type TextTrackFormat = "vtt" | "txt";

export type TextTrackTarget = Omit<StreamTarget, "name"> & { trackId: string; format: TextTrackFormat };

export function textTrackUrl(target: TextTrackTarget): string {
  return hostUrl(
    target.baseUrl,
    target.playbackId,
    ["text", `${target.trackId}.${target.format}`],
    target.token,
  );
}

/**
 * `{base}/{playback id}/{segments…}[?token=]`, each part escaped: shared by the URL builders of
 * the stream host and the image host (`images.ts`), which differ only in their paths.
 */
export function hostUrl(
  baseUrl: string,
  playbackId: string,
  segments: readonly string[],
  token?: string | null,
): string {
  const base = baseUrl.replace(/\/+$/, "");
  const path = [playbackId, ...segments].map(encodeURIComponent).join("/");
  const url = `${base}/${path}`;
  return token ? `${url}?token=${encodeURIComponent(token)}` : url;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

export type ProbeRenditionsInput = Omit<StreamTarget, "name"> & {
  names: readonly string[];
  fetch: typeof fetch;
  /** Per request, so that one hung HEAD cannot stall the job. */
  timeoutMs?: number;
};

/**
 * Finds which static rendition exists when the asset lists none (legacy assets can report
 * `static_renditions.status: ready` without `files[]`): HEAD each candidate name and take the
 * first that answers 2xx. Mux does not document the status for a missing or unready rendition
 * (404 is likely), so every non-2xx answer, and every network failure, means "try the next".
 */
export async function probeRenditions(input: ProbeRenditionsInput): Promise<string | null> {
  for (const name of input.names) {
    const url = streamUrl({ ...input, name });
    if (await answersOk(input.fetch, url, input.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS)) return name;
  }
  return null;
}

async function answersOk(doFetch: typeof fetch, url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await doFetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    // A HEAD has no body, but release whatever a proxy or a fake may have sent.
    await response.body?.cancel().catch(() => undefined);
    return response.ok;
  } catch {
    return false;
  }
}
