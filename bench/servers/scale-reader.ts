/**
 * The scale benchmark's HTTP client for latencies, in a process of its own: the bench process
 * also hosts the fake Mux and the pipeline receiver, whose collections (scavenges of up to 24 ms
 * were seen there) would be counted as the server's latency. Here nothing else allocates, so a
 * sample is the request's round trip and the server's work.
 *
 * Each read is preceded by unmeasured ones (`warmUp`): the first requests of a kind compile its
 * statements and code paths, a cost paid once per process, not per request.
 */
import { failStart, serveParent } from "../lib/child";
import { repeat, timed } from "../lib/scale-measure";

export type ScaleReaderRequest = {
  op: "read";
  /** Read in turn, one per request. */
  targets: string[];
  headers?: Record<string, string>;
  times: number;
  /** Clients reading at once, each `times / clients` requests. */
  clients?: number;
  warmUp?: number;
};

export type ScaleReaderReply = { samples: number[]; failures: number };

const DEFAULT_WARM_UP = 3;

async function read(request: ScaleReaderRequest): Promise<ScaleReaderReply> {
  const failures = { count: 0 };
  let next = 0;
  const once = () =>
    timed(request.targets[next++ % request.targets.length] ?? "", request.headers ?? {}, failures);
  for (let i = 0; i < (request.warmUp ?? DEFAULT_WARM_UP); i++) await once();
  failures.count = 0;
  const clients = Math.max(1, request.clients ?? 1);
  const samples = (
    await Promise.all(Array.from({ length: clients }, () => repeat(Math.ceil(request.times / clients), once)))
  ).flat();
  return { samples, failures: failures.count };
}

function main(): void {
  serveParent({
    ready: {},
    handle: async (raw) => read(raw as ScaleReaderRequest),
  });
}

try {
  main();
} catch (error) {
  failStart(error);
}
