/** Serves a fake Mux on a real port (end-to-end tests, benchmarks, the demo, `mux-ingest fake-mux`). */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createFakeMux, type FakeMux } from "./fake-mux";
import type { FakeMuxOptions } from "./types";

export type RunningFakeMux = {
  /** The API base, e.g. `http://127.0.0.1:43121` (use as `MUX_BASE_URL`). */
  url: string;
  /** `MUX_STREAM_BASE_URL`: `{url}/stream`. */
  streamBaseUrl: string;
  /** `MUX_IMAGE_BASE_URL`: `{url}/image`. */
  imageBaseUrl: string;
  fake: FakeMux;
  close(): Promise<void>;
};

/** Starts the fake on `host:port` (defaults 127.0.0.1 and a free port) with real timers. */
export async function startFakeMux(
  options: FakeMuxOptions & { port?: number; host?: string } = {},
): Promise<RunningFakeMux> {
  const { port = 0, host = "127.0.0.1", ...fakeOptions } = options;
  const fake = createFakeMux({ autoAdvance: true, ...fakeOptions });
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve, reject) => {
      const started = serve({ fetch: (request) => fake.fetch(request), port, hostname: host }, (info) =>
        resolve({ server: started, address: info }),
      );
      started.once("error", reject);
    },
  );
  const url = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url,
    streamBaseUrl: `${url}/stream`,
    imageBaseUrl: `${url}/image`,
    fake,
    close: async () => {
      await fake.close();
      await new Promise<void>((resolve) => {
        // Idle keep-alive sockets would otherwise hold the server open.
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
