/** The Hono environment: what every handler reads from `c.var`, typed once. */
import type { Logger } from "../lib/logger";
import type { Deps } from "../sync/deps";

export type HttpSettings = {
  /** `/v1` and the dashboard; null disables both (503), never opens them. */
  adminToken: string | null;
  /** `/metrics` answers only this bearer token; null leaves it open (a scrape reads counts only). */
  metricsToken: string | null;
  /** Webhook bodies above this are refused (413) before they are read whole. */
  webhookBodyLimitBytes: number;
  /** `TRUST_PROXY`: honour `X-Forwarded-Proto` and the last hop of `X-Forwarded-For`. */
  trustProxy: boolean;
  /**
   * Where the runtime tells the client's address (the sign-in rate limit's key): the Node
   * socket, or Cloudflare's `CF-Connecting-IP`, which only Cloudflare's edge can set. The
   * entry that serves the app chooses it.
   */
  clientAddress: ClientAddressSource;
};

export type ClientAddressSource = "socket" | "cf-connecting-ip";

export type HttpEnv = {
  Variables: {
    deps: Deps;
    http: HttpSettings;
    requestId: string;
    logger: Logger;
  };
};
