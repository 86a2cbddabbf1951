/**
 * The fake Mux in-process, driven through the official SDK: its REST API and stream host behind
 * msw, its webhooks collected at `hookUrl`, time on a manual clock. For tests of the fake itself.
 */
import Mux from "@mux/mux-node";
import { HttpResponse, http } from "msw";
import { createFakeMux, type FakeMuxOptions, type WebhookEnvelope } from "../../src/fake-mux/index";
import { ManualClock } from "../../src/lib/clock";
import { fakeMuxHandlers } from "./fake-mux-msw";
import { network } from "./no-network";

export function fakeMuxWithSdk(hookUrl: string, startsAt: number, options: FakeMuxOptions = {}) {
  const clock = new ManualClock(startsAt);
  const fake = createFakeMux({
    clock,
    rateLimit: null,
    webhookUrl: hookUrl,
    signingKey: { id: "unused", privateKeyBase64: "unused" },
    ...options,
  });
  const received: WebhookEnvelope[] = [];
  network.use(
    ...fakeMuxHandlers(fake),
    http.post(hookUrl, async ({ request }) => {
      received.push((await request.json()) as WebhookEnvelope);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { fake, clock, mux: sdkClient(fake.credentials.tokenId, fake.credentials.tokenSecret), received };
}

/** The official SDK on Mux's real hostname (msw hands it to the fake), without retries. */
export function sdkClient(tokenId: string, tokenSecret: string): Mux {
  return new Mux({
    baseURL: "https://api.mux.com",
    tokenId,
    tokenSecret,
    maxRetries: 0,
    webhookSecret: null,
    jwtSigningKey: null,
    jwtPrivateKey: null,
    authorizationToken: null,
  });
}
