/** The Hono environment: what every handler reads from `c.var`, typed once. */
import type { Logger } from "../lib/logger";
import type { Deps } from "../sync/deps";

export type HttpSettings = {
  /** `/v1` and the dashboard; null disables both (503), never opens them. */
  adminToken: string | null;
  /** Webhook bodies above this are refused (413) before they are read whole. */
  webhookBodyLimitBytes: number;
};

export type HttpEnv = {
  Variables: {
    deps: Deps;
    http: HttpSettings;
    requestId: string;
    logger: Logger;
  };
};
