/**
 * msw handlers that put a fake Mux behind Mux's real hostnames, so code under test (and the
 * official SDK) talks to `https://api.mux.com`, `https://stream.mux.com` and
 * `https://image.mux.com` unchanged.
 *
 *   const fake = createFakeMux({ clock });
 *   network.use(...fakeMuxHandlers(fake));
 */
import { http, type RequestHandler } from "msw";
import type { FakeMux } from "../../src/fake-mux/index";

export type FakeMuxHandlerOptions = {
  /** Where the code under test sends API calls. Default `https://api.mux.com`. */
  apiBase?: string;
  /** Where the code under test fetches MP4s and text tracks. Default `https://stream.mux.com`. */
  streamBase?: string;
  /** Where the code under test fetches images. Default `https://image.mux.com`. */
  imageBase?: string;
};

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export function fakeMuxHandlers(fake: FakeMux, opts: FakeMuxHandlerOptions = {}): RequestHandler[] {
  const apiBase = trimSlash(opts.apiBase ?? "https://api.mux.com");
  const streamBase = trimSlash(opts.streamBase ?? "https://stream.mux.com");
  const imageBase = trimSlash(opts.imageBase ?? "https://image.mux.com");
  // The fake serves stream.mux.com under `/stream` and image.mux.com under `/image`: keep the
  // path after each base.
  const mount = (base: string, under: string) => {
    const prefix = new URL(base).pathname.replace(/\/+$/, "");
    return http.all(`${base}/*`, ({ request }) => {
      const url = new URL(request.url);
      const rest = url.pathname.slice(prefix.length);
      return fake.fetch(new Request(`http://fake-mux.local/${under}${rest}${url.search}`, request));
    });
  };
  return [
    mount(streamBase, "stream"),
    mount(imageBase, "image"),
    http.all(`${apiBase}/*`, ({ request }) => fake.fetch(request)),
  ];
}
