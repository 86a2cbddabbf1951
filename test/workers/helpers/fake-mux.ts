/**
 * The fake Mux inside workerd: the Worker's Mux API and stream calls reach it through msw (Mux's
 * real hostnames, the same handlers as the Node tiers), and its webhooks are POSTed straight into
 * the Worker's `fetch`. Its clock starts at the Worker's wall clock so signatures line up.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
// Not the `src/fake-mux` barrel: it re-exports `startFakeMux`, whose @hono/node-server import
// crashes workerd (segfault at module load).
import { createFakeMux, type FakeMux } from "../../../src/fake-mux/fake-mux";
import type { FakeMuxOptions } from "../../../src/fake-mux/types";
import { ManualClock } from "../../../src/lib/clock";
import { fakeMuxHandlers } from "../../helpers/fake-mux-msw";
import { TEST_TOKEN_ID, TEST_TOKEN_SECRET, TEST_WEBHOOK_SECRET } from "./test-vars";
import type { WorkerHarness } from "./worker-harness";

/** Fails any request no handler claims: the tests never reach the network. */
export const network = setupServer();

/** Registers the msw lifecycle in the calling test file. */
export function useNetwork(): void {
  beforeAll(() => network.listen({ onUnhandledRequest: "error" }));
  afterEach(() => network.resetHandlers());
  afterAll(() => network.close());
}

let seed = 1;

function nextSeed(): number {
  seed += 7919;
  return seed;
}

/** A fake Mux whose webhooks go to `worker`. Each gets its own seed: D1 is shared within a file. */
export function startFakeMux(worker: WorkerHarness, options: FakeMuxOptions = {}): FakeMux {
  const fake = createFakeMux({
    seed: nextSeed(),
    tokenId: TEST_TOKEN_ID,
    tokenSecret: TEST_TOKEN_SECRET,
    webhookSecret: TEST_WEBHOOK_SECRET,
    clock: new ManualClock(Date.now()),
    rateLimit: null,
    webhookUrl: "https://mux-ingest.example/webhooks/mux",
    fetch: (input, init) => worker.fetch(new Request(input, init)),
    ...options,
  });
  network.use(...fakeMuxHandlers(fake));
  return fake;
}
