/** The fake's HTTP surface: one `fetch` for the REST API, `/stream`, `/image` and `/_fake`. */
import { apiRoutes, type Sleep } from "./routes/api";
import { controlRoutes } from "./routes/control";
import { imageRoutes } from "./routes/image";
import { streamRoutes } from "./routes/stream";
import type { FakeMuxWorld } from "./world";

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createFakeMuxFetch(
  world: FakeMuxWorld,
  sleep: Sleep = realSleep,
): (request: Request) => Promise<Response> {
  const api = apiRoutes(world, sleep);
  const stream = streamRoutes(world, sleep);
  const image = imageRoutes(world, sleep);
  const control = controlRoutes(world);
  // Routed by prefix rather than mounted on one app, so the API's auth and rate-limit
  // middleware never sees stream, image or control requests.
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/stream/")) return stream.fetch(request);
    if (pathname.startsWith("/image/")) return image.fetch(request);
    if (pathname === "/_fake" || pathname.startsWith("/_fake/")) return control.fetch(request);
    return api.fetch(request);
  };
}
