/**
 * Finds which static rendition exists when the asset lists none (legacy assets can report
 * `static_renditions.status: ready` without `files[]`): HEAD each candidate name on the stream host
 * and take the first that answers 2xx. Mux does not document the status for a missing or unready
 * rendition (404 is likely), so every non-2xx answer, and every network failure, means "try the next".
 */

export type ProbeRenditionsInput = {
  names: readonly string[];
  /** e.g. `https://stream.mux.com`; a trailing slash is tolerated. */
  streamBaseUrl: string;
  playbackId: string;
  /** A signed playback ID's JWT. Only given for signed IDs: a token on a public ID makes Mux refuse the URL. */
  token?: string | null;
  fetch?: typeof fetch;
  /** Per request, so that one hung HEAD cannot stall the job. */
  timeoutMs?: number;
};

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

export async function probeRenditions(input: ProbeRenditionsInput): Promise<string | null> {
  const doFetch = input.fetch ?? globalThis.fetch;
  for (const name of input.names) {
    if (await answersOk(doFetch, renditionUrl(input, name), input.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS)) {
      return name;
    }
  }
  return null;
}

export function renditionUrl(
  input: Pick<ProbeRenditionsInput, "streamBaseUrl" | "playbackId" | "token">,
  name: string,
): string {
  const base = input.streamBaseUrl.replace(/\/+$/, "");
  const url = `${base}/${encodeURIComponent(input.playbackId)}/${encodeURIComponent(name)}`;
  return input.token ? `${url}?token=${encodeURIComponent(input.token)}` : url;
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
