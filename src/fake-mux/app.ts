/** The fake's HTTP surface: one `fetch` for the REST API, `/stream` and `/_fake`. */
import type { FakeMuxCore } from "./core";
import { apiRoutes, type Sleep } from "./routes/api";
import { controlRoutes } from "./routes/control";
import { streamRoutes } from "./routes/stream";

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createFakeMuxFetch(
  core: FakeMuxCore,
  sleep: Sleep = realSleep,
): (request: Request) => Promise<Response> {
  const api = apiRoutes(core, sleep);
  const stream = streamRoutes(core, sleep);
  const control = controlRoutes(core);
  // Routed by prefix rather than mounted on one app, so the API's auth and rate-limit
  // middleware never sees stream or control requests.
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/stream/")) return stream.fetch(request);
    if (pathname === "/_fake" || pathname.startsWith("/_fake/")) return control.fetch(request);
    return api.fetch(request);
  };
}
