/**
 * stream.mux.com, where a playback id's static renditions are served: `{base}/{playback_id}/{name}`,
 * with `?token=` for a signed playback id (and only then: a token on a public id makes Mux refuse
 * the URL). `streamUrl` is the one way to build such a URL, for probes, records, downloads and
 * deliveries alike.
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
  const base = target.baseUrl.replace(/\/+$/, "");
  const url = `${base}/${encodeURIComponent(target.playbackId)}/${encodeURIComponent(target.name)}`;
  return target.token ? `${url}?token=${encodeURIComponent(target.token)}` : url;
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
