/**
 * msw handlers that put a fake Mux behind Mux's real hostnames, so code under test (and the
 * official SDK) talks to `https://api.mux.com` and `https://stream.mux.com` unchanged.
 *
 *   const fake = createFakeMux({ clock });
 *   network.use(...fakeMuxHandlers(fake));
 */
import { http, type RequestHandler } from "msw";
import type { FakeMux } from "../../src/fake-mux/index";

export type FakeMuxHandlerOptions = {
  /** Where the code under test sends API calls. Default `https://api.mux.com`. */
  apiBase?: string;
  /** Where the code under test fetches MP4s. Default `https://stream.mux.com`. */
  streamBase?: string;
};

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export function fakeMuxHandlers(fake: FakeMux, opts: FakeMuxHandlerOptions = {}): RequestHandler[] {
  const apiBase = trimSlash(opts.apiBase ?? "https://api.mux.com");
  const streamBase = trimSlash(opts.streamBase ?? "https://stream.mux.com");
  const streamPrefix = new URL(streamBase).pathname.replace(/\/+$/, "");
  return [
    http.all(`${streamBase}/*`, ({ request }) => {
      // The fake serves stream.mux.com under `/stream`: keep the path after the stream base.
      const url = new URL(request.url);
      const rest = url.pathname.slice(streamPrefix.length);
      return fake.fetch(new Request(`http://fake-mux.local/stream${rest}${url.search}`, request));
    }),
    http.all(`${apiBase}/*`, ({ request }) => fake.fetch(request)),
  ];
}
