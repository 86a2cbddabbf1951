/**
 * A harness wired to the fake Mux in-process: the service's Mux calls reach the fake through msw
 * (Mux's real hostnames), and the fake's webhooks are POSTed straight into the app. Both share
 * one manual clock, so signatures, lifecycles and backoffs line up.
 */
import { createFakeMux, type FakeMux, type FakeMuxOptions } from "../../src/fake-mux/index";
import { fakeMuxHandlers } from "./fake-mux-msw";
import {
  createHarness,
  type Harness,
  type HarnessOptions,
  TEST_TOKEN_ID,
  TEST_TOKEN_SECRET,
  TEST_WEBHOOK_SECRET,
} from "./harness";
import { network } from "./no-network";

export type FakeMuxHarness = Harness & {
  fake: FakeMux;
  /** Delivers queued webhooks into the app, then runs every job that is due. */
  settleAll(): Promise<void>;
  objectOf(assetId: string): Record<string, unknown> | undefined;
};

export async function createFakeMuxHarness(
  options: HarnessOptions & { fake?: FakeMuxOptions } = {},
): Promise<FakeMuxHarness> {
  const h = await createHarness(options);
  const fake = createFakeMux({
    tokenId: TEST_TOKEN_ID,
    tokenSecret: TEST_TOKEN_SECRET,
    webhookSecret: TEST_WEBHOOK_SECRET,
    clock: h.clock,
    rateLimit: null,
    webhookUrl: "http://mux-ingest.test/webhooks/mux",
    fetch: (input, init) =>
      Promise.resolve(h.app.request(input instanceof Request ? input : String(input), init)),
    ...options.fake,
  });
  network.use(...fakeMuxHandlers(fake));
  const settleAll = async () => {
    await fake.webhooks.flush();
    await h.runner.drain();
  };
  const objectOf = (assetId: string) =>
    h.database.sqlite.prepare("select * from objects where asset_id = ?").get(assetId) as
      | Record<string, unknown>
      | undefined;
  const close = h.close;
  return {
    ...h,
    fake,
    settleAll,
    objectOf,
    close: () => {
      void fake.close();
      close();
    },
  };
}
